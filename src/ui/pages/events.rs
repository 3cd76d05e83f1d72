//! Events: surface decisions and offer redemptions, filtered by type, status, offer, identity and
//! day; an event's page shows the request, the workflow's logs and the response.
use crate::model::{Event, EventStatus, EventType, IdentityKind};
use crate::server_fns::experiences::{get_event, list_events};
use crate::ui::components::{ErrorPanel, Loading, short_time};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

const FILTERS: [&str; 6] = ["type", "status", "offer", "identity", "from", "to"];

fn href(values: &[(String, String)], after: Option<&str>) -> String {
    let mut q: Vec<(String, String)> = values.iter().filter(|(_, v)| !v.is_empty()).cloned().collect();
    if let Some(a) = after {
        q.push(("after".into(), a.into()));
    }
    let qs = q.iter().map(|(k, v)| format!("{k}={}", js_encode(v))).collect::<Vec<_>>().join("&");
    if qs.is_empty() { "/events".into() } else { format!("/events?{qs}") }
}

/// Percent-encodes a query value (letters, digits and `-_.~` stay).
fn js_encode(v: &str) -> String {
    v.bytes().map(|b| if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

fn status_badge(status: EventStatus) -> &'static str {
    match status {
        EventStatus::Succeeded | EventStatus::Presented => "badge badge-active",
        EventStatus::Failed => "badge badge-error",
        EventStatus::Empty | EventStatus::Declined => "badge",
    }
}

#[component]
pub fn EventsPage() -> impl IntoView {
    let query = use_query_map();
    let get = move |k: &str| query.read().get(k).unwrap_or_default();
    let values = move || FILTERS.iter().map(|k| (k.to_string(), get(k))).collect::<Vec<_>>();
    let events = Resource::new(
        move || (values(), get("after")),
        |(v, after)| {
            let f = |k: &str| v.iter().find(|(n, _)| n == k).map(|(_, x)| x.clone()).unwrap_or_default();
            list_events(f("type"), f("status"), f("offer"), f("identity"), f("from"), f("to"), after)
        },
    );
    let select = move |k: &'static str, options: Vec<(String, String)>| {
        let current = get(k);
        options.into_iter().map(|(v, l)| view! { <option value=v.clone() selected=v == current>{l}</option> }).collect_view()
    };
    let opts = |xs: &[(&str, &str)]| xs.iter().map(|(v, l)| (v.to_string(), l.to_string())).collect::<Vec<_>>();
    view! {
        <Title text="Events · offerdeck"/>
        <h1>"Events"</h1>
        <p class="muted">"Every surface decision and offer redemption in this environment, newest first."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match events.await {
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    Ok(d) => {
                        let mut offer_opts = vec![(String::new(), "All offers".to_string())];
                        offer_opts.extend(d.offers.iter().cloned());
                        let name_of = |oid: &Option<String>| oid.as_ref().map(|o| d.offers.iter().find(|(id, _)| id == o).map(|(_, n)| n.clone()).unwrap_or_else(|| o.clone())).unwrap_or_default();
                        let v = values();
                        let next = d.has_more.then(|| d.events.last().map(|e| href(&v, Some(&e.id)))).flatten();
                        view! {
                            <form method="get" action="/events" class="filters" role="search" aria-label="Filter events">
                                <div class="field">
                                    <label for="ev-type">"Type"</label>
                                    <select id="ev-type" name="type">{select("type", opts(&[("", "All"), ("surface.decision", "Decisions"), ("offer.redemption", "Redemptions")]))}</select>
                                </div>
                                <div class="field">
                                    <label for="ev-status">"Status"</label>
                                    <select id="ev-status" name="status">{select("status", opts(&[("", "All"), ("presented", "Presented"), ("empty", "Nothing presented"), ("succeeded", "Succeeded"), ("declined", "Declined"), ("failed", "Failed")]))}</select>
                                </div>
                                <div class="field">
                                    <label for="ev-offer">"Offer"</label>
                                    <select id="ev-offer" name="offer">{select("offer", offer_opts)}</select>
                                </div>
                                <div class="field">
                                    <label for="ev-identity">"Identity"</label>
                                    <input id="ev-identity" name="identity" value=get("identity") placeholder="buyer@example.com or anon_…"/>
                                </div>
                                <div class="field">
                                    <label for="ev-from">{format!("From ({})", d.time_zone)}</label>
                                    <input id="ev-from" name="from" type="date" value=get("from")/>
                                </div>
                                <div class="field">
                                    <label for="ev-to">{format!("To ({})", d.time_zone)}</label>
                                    <input id="ev-to" name="to" type="date" value=get("to")/>
                                </div>
                                <button type="submit">"Filter"</button>
                            </form>
                            {if d.events.is_empty() {
                                view! { <p class="empty">"No events match."</p> }.into_any()
                            } else {
                                view! {
                                    <table class="table" aria-label="Events">
                                        <thead><tr><th scope="col">"Time"</th><th scope="col">"Type"</th><th scope="col">"Status"</th><th scope="col">"Offer"</th><th scope="col">"Identity"</th><th scope="col">"Duration"</th></tr></thead>
                                        <tbody>
                                            {d.events.iter().map(|e| view! {
                                                <tr>
                                                    <td><a href=format!("/events/{}", e.id)>{short_time(&e.created_at)}</a></td>
                                                    <td>{if e.event_type == EventType::SurfaceDecision { "Decision" } else { "Redemption" }}</td>
                                                    <td><span class=status_badge(e.status)>{e.status.as_str()}</span></td>
                                                    <td>{name_of(&e.offer_id)}</td>
                                                    <td>{e.identity.clone().unwrap_or_default()}</td>
                                                    <td>{e.duration_ms.map(|ms| format!("{ms} ms")).unwrap_or_default()}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any()
                            }}
                            {next.map(|h| view! { <p><a href=h>"Older events →"</a></p> })}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn EventPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let event = Resource::new(id, get_event);
    view! {
        <p class="crumbs"><a href="/events">"← Events"</a></p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match event.await {
                    Err(e) => view! { <Title text="Event · offerdeck"/><ErrorPanel error=e/> }.into_any(),
                    Ok(e) => view! { <EventView event=e/> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EventView(event: Event) -> impl IntoView {
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let e = event;
    view! {
        <Title text=format!("{} · offerdeck", e.id)/>
        <h1>{if e.event_type == EventType::SurfaceDecision { "Surface decision" } else { "Offer redemption" }}" "<span class=status_badge(e.status)>{e.status.as_str()}</span></h1>
        <dl class="facts">
            <dt>"Event"</dt><dd><code>{e.id.clone()}</code></dd>
            <dt>"Time"</dt><dd>{e.created_at.clone()}</dd>
            <dt>"Identity"</dt><dd>{format!("{} ({})", e.identity.clone().unwrap_or_default(), e.identity_kind.map(IdentityKind::as_str).unwrap_or_default())}</dd>
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
