//! An event's page: what happened, the request, the workflow's logs and the response.
use super::status_badge;
use crate::model::Event;
use crate::server_fns::events::get_event;
use crate::ui::components::{DetailPage, path_param};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn EventPage() -> impl IntoView {
    let event = Resource::new(path_param("id"), get_event);
    view! {
        <DetailPage back="/events" back_label="Events" data=event error_title="Event" let:e>
            <EventView event=e/>
        </DetailPage>
    }
}

#[component]
fn EventView(event: Event) -> impl IntoView {
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let e = event;
    view! {
        <Title text=format!("{} · offerdeck", e.id)/>
        <h1>{if e.event_type == crate::model::EventType::SurfaceDecision { "Surface decision" } else { "Offer redemption" }}" "<span class=status_badge(e.status)>{e.status.as_str()}</span></h1>
        <dl class="facts">
            <dt>"Event"</dt><dd><code>{e.id.clone()}</code></dd>
            <dt>"Time"</dt><dd>{e.created_at.clone()}</dd>
            <dt>"Identity"</dt><dd>{format!("{} ({})", e.identity.clone().unwrap_or_default(), e.identity_kind.map(crate::model::IdentityKind::as_str).unwrap_or_default())}</dd>
            {e.offer_id.clone().map(|o| view! { <dt>"Offer"</dt><dd><a href=format!("/offers/{o}")>{o.clone()}</a></dd> })}
            {e.method_id.clone().map(|m| view! { <dt>"Redemption method"</dt><dd><a href=format!("/offers/redemption-methods/{m}")>{m.clone()}</a></dd> })}
            {e.workflow_version.map(|v| view! { <dt>"Workflow version"</dt><dd>{format!("v{v}")}</dd> })}
            {e.duration_ms.map(|d| view! { <dt>"Duration"</dt><dd>{format!("{d} ms")}</dd> })}
        </dl>
        <section class="panel">
            <h2>"Request"</h2>
            <pre class="code-output" aria-label="Request">{pretty(&e.request)}</pre>
        </section>
        <section class="panel">
            <h2>"Workflow logs"</h2>
            {if e.logs.is_empty() {
                view! { <p class="empty">"No logs."</p> }.into_any()
            } else {
                view! { <pre class="code-output" aria-label="Workflow logs">{e.logs.join("\n")}</pre> }.into_any()
            }}
        </section>
        <section class="panel">
            <h2>"Response"</h2>
            <pre class="code-output" aria-label="Response">{pretty(&e.response)}</pre>
        </section>
    }
}
