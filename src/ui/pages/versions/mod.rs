//! Versions (API.md §14): the Versions page (`list.rs`: what live runs, what preview changed
//! since, freeze a version, the versions and the deploys) and a version's page (`detail.rs`:
//! its diff against live, deploy or roll back with confirmation). Marketers see both, without
//! the forms.
mod detail;
mod list;

pub use detail::VersionPage;
pub use list::VersionsPage;

use crate::model::{ChangeKind, ObjectChange};
use crate::ui::components::{ListTable, cols};
use leptos::prelude::*;

/// `redemptionMethod` → `redemption method`.
fn kind_label(kind: &str) -> String {
    let mut out = String::new();
    for c in kind.chars() {
        if c.is_ascii_uppercase() {
            out.push(' ');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// One row per object a deploy would add, change or remove.
#[component]
fn ChangeTable(changes: Vec<ObjectChange>, #[prop(into)] empty: &'static str, label: &'static str) -> impl IntoView {
    view! {
        <ListTable rows=changes headers=cols(&["Change", "Kind", "Object", "Fields", "Live id"]) empty=empty label=label let:c>
            <tr>
                <td><span class=format!("badge badge-change-{}", c.change.as_str())>{c.change.as_str()}</span></td>
                <td>{kind_label(&c.kind)}</td>
                <td>{if c.name.is_empty() { c.id.clone() } else { c.name.clone() }}</td>
                <td>{if c.change == ChangeKind::Changed { c.fields.join(", ") } else { String::new() }}</td>
                <td><code>{c.live_id.clone().unwrap_or_else(|| "new".into())}</code></td>
            </tr>
        </ListTable>
    }
}
