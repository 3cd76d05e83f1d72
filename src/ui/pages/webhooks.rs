//! Settings → Webhooks: endpoints (URL, event types; the signing secret shown once), and per
//! endpoint the delivery log with every attempt, enable/disable, delete and a manual resend.
use crate::model::{WEBHOOK_EVENT_TYPES, WebhookDeliveryStatus, WebhookEndpoint};
use crate::server_fns::coupons::{CreateWebhookEndpoint, DeleteWebhookEndpoint, ResendWebhook, SetWebhookStatus, load_webhook_endpoint, webhooks_page};
use crate::ui::components::{ErrorPanel, FieldError, FormError, Loading, action_error, short_time};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let create = ServerAction::<CreateWebhookEndpoint>::new();
    let err = action_error(create);
    let page = Resource::new(move || create.version().get(), |_| webhooks_page());
    view! {
        <Title text="Webhooks · offerdeck"/>
        <h1>"Webhooks"</h1>
        <p class="muted">"offerdeck POSTs events to your endpoints, signed the Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature). Failed deliveries are retried with growing delays for 24 hours."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match page.await {
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    Ok(p) => view! {
                        {p.new_secrets.into_iter().enumerate().map(|(i, s)| view! {
                            <div class="panel panel-secret" role="status">
                                <h2>"Signing secret of the new endpoint"</h2>
                                <p>"Copy it now: it will not be shown again. Verify each delivery with it."</p>
                                <label class="visually-hidden" for=format!("new-secret-{i}")>"Signing secret"</label>
                                <input id=format!("new-secret-{i}") class="mono" readonly value=s size="48"/>
                            </div>
                        }).collect_view()}
                        <EndpointTable endpoints=p.endpoints/>
                    }.into_any(),
                }
            })}
        </Suspense>
        <section class="panel">
            <h2>"Add an endpoint"</h2>
            <ActionForm action=create attr:class="form" attr:aria-label="Add an endpoint">
                <FormError error=err/>
                <div class="field">
                    <label for="wh-url">"URL"</label>
                    <input id="wh-url" name="url" type="url" placeholder="https://example.com/webhooks/offerdeck"/>
                    <FieldError error=err field="url"/>
                </div>
                <div class="field">
                    <label for="wh-description">"Description"</label>
                    <input id="wh-description" name="description"/>
                    <FieldError error=err field="description"/>
                </div>
                <fieldset class="field">
                    <legend>"Events"</legend>
                    {WEBHOOK_EVENT_TYPES.iter().enumerate().map(|(i, t)| {
                        let id = format!("wh-ev-{i}");
                        view! {
                            <div class="field-check">
                                <input type="checkbox" id=id.clone() name=format!("events[{i}]") value=*t checked=*t == "coupon.redeemed"/>
                                <label for=id>{*t}</label>
                            </div>
                        }
                    }).collect_view()}
                    <FieldError error=err field="events"/>
                </fieldset>
                <button type="submit" class="button-primary" disabled=move || create.pending().get()>"Add endpoint"</button>
            </ActionForm>
        </section>
    }
}

#[component]
fn EndpointTable(endpoints: Vec<WebhookEndpoint>) -> impl IntoView {
    if endpoints.is_empty() {
        return view! { <p class="empty">"No endpoints in this environment yet."</p> }.into_any();
    }
    view! {
        <table class="table" aria-label="Endpoints">
            <thead><tr><th scope="col">"URL"</th><th scope="col">"Events"</th><th scope="col">"Status"</th><th scope="col">"Created"</th></tr></thead>
            <tbody>
                {endpoints.into_iter().map(|e| view! {
                    <tr>
                        <td><a href=format!("/settings/webhooks/{}", e.id)>{e.url.clone()}</a></td>
                        <td>{e.events.join(", ")}</td>
                        <td><span class=format!("badge badge-{}", if e.status == "enabled" { "active" } else { "archived" })>{e.status.clone()}</span></td>
                        <td>{short_time(&e.created_at)}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

#[component]
pub fn WebhookEndpointPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let status = ServerAction::<SetWebhookStatus>::new();
    let delete = ServerAction::<DeleteWebhookEndpoint>::new();
    let resend = ServerAction::<ResendWebhook>::new();
    let resend_err = action_error(resend);
    let status_err = action_error(status);
    let detail = Resource::new(move || (id(), status.version().get(), resend.version().get()), |(id, _, _)| load_webhook_endpoint(id));
    view! {
        <p class="crumbs"><a href="/settings/webhooks">"← Webhooks"</a></p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(e) => view! { <Title text="Webhook endpoint · offerdeck"/><ErrorPanel error=e/> }.into_any(),
                    Ok(d) => {
                        let e = d.endpoint.clone();
                        let enabled = e.status == "enabled";
                        let attempts = d.attempts.clone();
                        let (id_status, id_delete) = (e.id.clone(), e.id.clone());
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
                            <FormError error=status_err/>
                            <div class="actions-row">
                                <ActionForm action=status attr:class="inline-form">
                                    <input type="hidden" name="id" value=id_status/>
                                    <input type="hidden" name="status" value=if enabled { "disabled" } else { "enabled" }/>
                                    <button type="submit" class="button">{if enabled { "Disable endpoint" } else { "Enable endpoint" }}</button>
                                </ActionForm>
                                <ActionForm action=delete attr:class="inline-form">
                                    <input type="hidden" name="id" value=id_delete/>
                                    <button type="submit" class="button-danger">"Delete endpoint"</button>
                                </ActionForm>
                            </div>
                            <section class="panel" aria-labelledby="deliveries">
                                <h2 id="deliveries">"Delivery log"</h2>
                                <FormError error=resend_err/>
                                {if d.deliveries.is_empty() {
                                    view! { <p class="empty">"Nothing sent to this endpoint yet."</p> }.into_any()
                                } else {
                                    view! {
                                        <table class="table" aria-label="Delivery log">
                                            <thead><tr>
                                                <th scope="col">"Event"</th><th scope="col">"Status"</th><th scope="col" class="num">"Attempts"</th>
                                                <th scope="col">"Last response"</th><th scope="col">"Next attempt"</th><th scope="col">"Queued"</th><th></th>
                                            </tr></thead>
                                            <tbody>
                                                {d.deliveries.into_iter().map(|del| {
                                                    let log = attempts.iter().find(|(id, _)| *id == del.id).map(|(_, a)| a.clone()).unwrap_or_default();
                                                    view! { <DeliveryRow del log resend/> }
                                                }).collect_view()}
                                            </tbody>
                                        </table>
                                    }.into_any()
                                }}
                            </section>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn DeliveryRow(del: crate::model::WebhookDelivery, log: Vec<crate::model::WebhookAttempt>, resend: ServerAction<ResendWebhook>) -> impl IntoView {
    let badge = match del.status {
        WebhookDeliveryStatus::Delivered => "badge badge-active",
        WebhookDeliveryStatus::Failed => "badge badge-error",
        WebhookDeliveryStatus::Pending => "badge badge-warn",
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
                <ActionForm action=resend attr:class="inline-form">
                    <input type="hidden" name="id" value=del.id.clone()/>
                    <button type="submit" class="button-small" aria-label=format!("Resend {}", del.event_id)>"Resend"</button>
                </ActionForm>
            </td>
        </tr>
    }
    .into_any()
}

#[component]
fn AttemptList(log: Vec<crate::model::WebhookAttempt>) -> impl IntoView {
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
