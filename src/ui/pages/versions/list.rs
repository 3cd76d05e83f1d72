//! The Versions page: live's version, the preview changes not yet in live, the freeze form,
//! every version (newest first) and the deploy history.
use super::ChangeTable;
use crate::server_fns::versions::{CreateVersion, versions_page};
use crate::ui::components::{Field, FormPanel, ListTable, Loaded, PageHead, action_error, cols, short_time};
use crate::ui::layout::can_edit;
use leptos::prelude::*;

#[component]
pub fn VersionsPage() -> impl IntoView {
    let create = ServerAction::<CreateVersion>::new();
    let page = Resource::new(move || create.version().get(), |_| versions_page());
    let editable = can_edit();
    view! {
        <PageHead title="Versions"
            intro="Build in preview, freeze the configuration into a numbered version, and deploy it to live in one step. Live keeps the same ids across deploys; rolling back is deploying an older version. Coupons, keys, integrations and webhooks stay per environment."/>
        <Loaded data=page let:p>
            <section class="panel" aria-labelledby="live-now">
                <h2 id="live-now">"Live"</h2>
                {match p.live.clone() {
                    Some(l) => view! { <p data-testid="live-version">"Live runs version " {l.number} " “" {l.name} "”."</p> }.into_any(),
                    None => view! { <p data-testid="live-version">"Live has not been deployed from a version yet: its configuration is whatever was built there by hand."</p> }.into_any(),
                }}
            </section>
            <section class="panel" aria-labelledby="pending">
                <h2 id="pending">"Changes in preview since live"</h2>
                <ChangeTable changes=p.pending.clone() empty="Preview and live are the same." label="Changes in preview"/>
            </section>
            <section class="panel" aria-labelledby="all-versions">
                <h2 id="all-versions">"Versions"</h2>
                <ListTable rows=p.versions.clone() headers=cols(&["Version", "Name", "Changes when frozen", "Frozen by", "Frozen", ""]) empty="No versions yet." label="Versions" let:v>
                    <tr>
                        <td><a href=format!("/versions/{}", v.id)>{format!("Version {}", v.number)}</a></td>
                        <td>{v.name.clone()}</td>
                        <td>{v.summary.describe()}</td>
                        <td>{v.created_by.clone()}</td>
                        <td>{short_time(&v.created_at)}</td>
                        <td>{v.live.then(|| view! { <span class="badge badge-live">"live"</span> })}</td>
                    </tr>
                </ListTable>
                {p.more_versions.then(|| view! { <p class="muted">"Older versions: GET /api/v1/versions?startingAfter=…"</p> })}
            </section>
            <section class="panel" aria-labelledby="deploys">
                <h2 id="deploys">"Deploys"</h2>
                <ListTable rows=p.deployments.clone() headers=cols(&["Deployed", "Version", "From", "Changes", "By"]) empty="Nothing deployed yet." label="Deploys" let:d>
                    <tr>
                        <td>{short_time(&d.deployed_at)}</td>
                        <td><a href=format!("/versions/{}", d.version_id)>{format!("Version {} “{}”", d.version_number, d.version_name)}</a></td>
                        <td>{d.from_version_number.map(|n| format!("version {n}")).unwrap_or_else(|| "hand-built live".into())}</td>
                        <td>{d.summary.describe()}</td>
                        <td>{d.deployed_by.clone()}</td>
                    </tr>
                </ListTable>
            </section>
        </Loaded>
        {editable.then(|| view! { <NewVersion create/> })}
    }
}

#[component]
fn NewVersion(create: ServerAction<CreateVersion>) -> impl IntoView {
    let err = action_error(create);
    view! {
        <FormPanel action=create heading="Freeze a version" label="Freeze a version" submit="Freeze version" disable_while_pending=true>
            <p class="muted">"Freezes preview as it is now: redemption methods with their current workflow, offers with the prices they use, rates, presentation schemas, experiences, surfaces and discount rules."</p>
            <Field id="ver-name" label="Name" error=err field="name">
                <input id="ver-name" name="name" maxlength="200" placeholder="Spring launch"/>
            </Field>
            <Field id="ver-note" label="Note (optional)" error=err field="note">
                <textarea id="ver-note" name="note" rows="2" maxlength="2000"></textarea>
            </Field>
        </FormPanel>
    }
}
