//! An endpoint's page: its facts, enable/disable and delete, and the delivery log (each
//! delivery's attempts, and a resend button).
use crate::model::{WebhookAttempt, WebhookDelivery};
use crate::server_fns::webhooks::{DeleteWebhookEndpoint, ResendWebhook, SetWebhookStatus, load_webhook_endpoint};
use crate::ui::components::{ButtonForm, Col, DetailPage, FormError, ListTable, action_error, cols, path_param, short_time};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn WebhookEndpointPage() -> impl IntoView {
    let id = path_param("id");
    let status = ServerAction::<SetWebhookStatus>::new();
    let delete = ServerAction::<DeleteWebhookEndpoint>::new();
    let resend = ServerAction::<ResendWebhook>::new();
    let detail = Resource::new(move || (id(), status.version().get(), resend.version().get()), |(id, _, _)| load_webhook_endpoint(id));
    view! {
        <DetailPage back="/settings/webhooks" back_label="Webhooks" data=detail error_title="Webhook endpoint" let:d>
            {
                let e = d.endpoint.clone();
                let enabled = e.status == "enabled";
                let attempts = d.attempts.clone();
                let mut headers = cols(&["Event", "Status"]);
                headers.extend([Col::num("Attempts"), "Last response".into(), "Next attempt".into(), "Queued".into(), "".into()]);
                view! {
                    <Title text="Webhook endpoint · offerdeck"/>
                    <h1>"Endpoint"</h1>
                    <dl class="facts">
                        <dt>"URL"</dt><dd><code>{e.url.clone()}</code></dd>
                        <dt>"Events"</dt><dd>{e.events.join(", ")}</dd>
                        <dt>"Status"</dt><dd>{e.status.clone()}</dd>
                        <dt>"Description"</dt><dd>{if e.description.is_empty() { "—".into() } else { e.description.clone() }}</dd>
                        <dt>"ID"</dt><dd><code>{e.id.clone()}</code></dd>
                    </dl>
                    <FormError error=action_error(status)/>
                    <div class="actions-row">
                        <ButtonForm action=status hidden=vec![("id", e.id.clone()), ("status", (if enabled { "disabled" } else { "enabled" }).to_string())]
                            label=if enabled { "Disable endpoint" } else { "Enable endpoint" } class="button"/>
                        <ButtonForm action=delete hidden=vec![("id", e.id.clone())] label="Delete endpoint" class="button-danger"/>
                    </div>
                    <section class="panel" aria-labelledby="deliveries">
                        <h2 id="deliveries">"Delivery log"</h2>
                        <FormError error=action_error(resend)/>
                        <ListTable rows=d.deliveries headers empty="Nothing sent to this endpoint yet." label="Delivery log" let:del>
                            {
                                let log = attempts.iter().find(|(id, _)| *id == del.id).map(|(_, a)| a.clone()).unwrap_or_default();
                                view! { <DeliveryRow del log resend/> }
                            }
                        </ListTable>
                    </section>
                }
            }
        </DetailPage>
    }
}

#[component]
fn DeliveryRow(del: WebhookDelivery, log: Vec<WebhookAttempt>, resend: ServerAction<ResendWebhook>) -> impl IntoView {
    let badge = match del.status {
        crate::model::WebhookDeliveryStatus::Delivered => "badge badge-active",
        crate::model::WebhookDeliveryStatus::Failed => "badge badge-error",
        crate::model::WebhookDeliveryStatus::Pending => "badge badge-warn",
    };
    let last = match (del.last_status_code, del.last_error.clone()) {
        (Some(c), _) => format!("HTTP {c}"),
        (None, Some(e)) => e,
        _ => "—".into(),
    };
    view! {
        <tr>
            <td>{del.event_type.clone()}<br/><code class="small">{del.event_id.clone()}</code></td>
            <td><span class=badge>{del.status.as_str()}</span></td>
            <td class="num">{del.attempts}</td>
            <td>{last}<AttemptList log/></td>
            <td>{del.next_attempt_at.as_deref().map(short_time).unwrap_or_else(|| "—".into())}</td>
            <td>{short_time(&del.created_at)}</td>
            <td>
                <ButtonForm action=resend hidden=vec![("id", del.id.clone())] label="Resend" class="button-small" aria_label=format!("Resend {}", del.event_id)/>
            </td>
        </tr>
    }
    .into_any()
}

#[component]
fn AttemptList(log: Vec<WebhookAttempt>) -> impl IntoView {
    view! {
        <details>
            <summary>"Attempts"</summary>
            <ol class="attempts">
                {log.into_iter().map(|a| {
                    let outcome = a.status_code.map(|c| format!("HTTP {c}")).or(a.error.clone()).unwrap_or_default();
                    view! {
                        <li>{format!("{} · {outcome} · {} ms", short_time(&a.attempted_at), a.duration_ms)}
                            {a.response_excerpt.map(|r| view! { <pre class="excerpt">{r}</pre> })}
                        </li>
                    }
                }).collect_view()}
            </ol>
        </details>
    }
    .into_any()
}
