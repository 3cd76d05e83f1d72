//! A redemption method's page: heading, the two tabs, and the data both tabs share.
use super::manage::ManageTab;
use super::workflow::WorkflowTab;
use crate::server_fns::methods::{RestoreWorkflow, SaveWorkflow, SetMethodArchived, UpdateMethod, get_method};
use crate::ui::components::{DetailPage, path_param, query_param};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn MethodPage() -> impl IntoView {
    let id = path_param("id");
    let tab = query_param("tab");
    let manage = move || tab().as_deref() == Some("manage");
    let save = ServerAction::<SaveWorkflow>::new();
    let restore = ServerAction::<RestoreWorkflow>::new();
    let update = ServerAction::<UpdateMethod>::new();
    let archive = ServerAction::<SetMethodArchived>::new();
    let detail = Resource::new(
        move || (id(), save.version().get(), restore.version().get(), update.version().get(), archive.version().get()),
        |(id, ..)| get_method(id),
    );
    view! {
        <DetailPage back="/offers/redemption-methods" back_label="Redemption methods" data=detail error_title="Redemption method" let:d>
            {
                let base = format!("/offers/redemption-methods/{}", d.method.id);
                let is_manage = manage();
                view! {
                    <Title text=format!("{} · offerdeck", d.method.name)/>
                    <h1>{d.method.name.clone()}" "<span class="badge">{d.method.schema.label()}</span></h1>
                    <nav class="tabs" aria-label="Method sections">
                        <a href=base.clone() aria-current=if is_manage { "false" } else { "page" }>"Workflow"</a>
                        <a href=format!("{base}?tab=manage") aria-current=if is_manage { "page" } else { "false" }>"Manage"</a>
                    </nav>
                    {if is_manage {
                        view! { <ManageTab method=d.method.clone() update archive/> }.into_any()
                    } else {
                        view! { <WorkflowTab detail=d save restore/> }.into_any()
                    }}
                }
            }
        </DetailPage>
    }
}
