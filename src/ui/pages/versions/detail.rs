//! A version's page: what it carries, what deploying it would change in live now, and the
//! deploy form (a rollback when the version is older than live's), which asks to confirm.
use super::ChangeTable;
use crate::model::VersionDetail;
use crate::server_fns::versions::{DeployVersion, load_version};
use crate::ui::components::{DetailPage, Field, FormError, action_error, path_param, short_time};
use crate::ui::layout::can_edit;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn VersionPage() -> impl IntoView {
    let id = path_param("id");
    let deploy = ServerAction::<DeployVersion>::new();
    let detail = Resource::new(move || (id(), deploy.version().get()), |(id, _)| load_version(id));
    let editable = can_edit();
    view! {
        <DetailPage back="/versions" back_label="Versions" data=detail error_title="Version" let:d>
            <VersionView d editable deploy/>
        </DetailPage>
    }
}

#[component]
fn VersionView(d: VersionDetail, editable: bool, deploy: ServerAction<DeployVersion>) -> impl IntoView {
    let v = d.version;
    let title = format!("Version {} “{}”", v.number, v.name);
    let older = d.live.as_ref().is_some_and(|l| l.number > v.number);
    let verb = if v.live {
        "Redeploy"
    } else if older {
        "Roll back to"
    } else {
        "Deploy"
    };
    let objects = v.objects.iter().map(|(k, n)| format!("{n} {}", super::kind_label(k))).collect::<Vec<_>>().join(", ");
    let err = action_error(deploy);
    view! {
        <Title text=format!("{title} · offerdeck")/>
        <h1>{title.clone()}</h1>
        {v.live.then(|| view! { <p class="badge badge-live" data-testid="is-live">"Live runs this version"</p> })}
        <dl class="facts">
            <dt>"Frozen"</dt><dd>{short_time(&v.created_at)} " by " {v.created_by.clone()}</dd>
            <dt>"Carries"</dt><dd>{if objects.is_empty() { "nothing".to_string() } else { objects }}</dd>
            <dt>"When frozen"</dt><dd>{v.summary.describe()}</dd>
            {(!v.note.is_empty()).then(|| view! { <dt>"Note"</dt><dd>{v.note.clone()}</dd> })}
        </dl>
        <section class="panel" aria-labelledby="diff">
            <h2 id="diff">"What deploying it changes in live"</h2>
            <p>{d.diff.summary.describe()}</p>
            <ChangeTable changes=d.diff.changes empty="Live already runs exactly this configuration." label="Changes in live"/>
        </section>
        {editable.then(|| view! {
            <section class="panel" aria-labelledby="deploy">
                <h2 id="deploy">{format!("{verb} live")}</h2>
                <ActionForm action=deploy attr:class="form" attr:aria-label="Deploy">
                    <FormError error=err/>
                    <input type="hidden" name="id" value=v.id.clone()/>
                    <Field id="deploy-confirm" label=format!("Live switches to version {} at once, for every customer", v.number) error=err field="confirm">
                        <input id="deploy-confirm" type="checkbox" name="confirm" value="yes"/>
                    </Field>
                    <button type="submit" class="button-primary">{format!("{verb} version {}", v.number)}</button>
                </ActionForm>
            </section>
        })}
    }
}
