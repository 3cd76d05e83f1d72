//! The event list: the filter form (a GET form; every filter stays in the URL), the table and
//! the link to older events.
use super::status_badge;
use crate::model::EventsData;
use crate::server_fns::events::{EventsQuery, list_events};
use crate::ui::components::{Field, ListTable, Loaded, PageHead, SelectField, choices, cols, page_href, short_time};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

const FILTERS: [&str; 6] = ["type", "status", "offer", "identity", "from", "to"];

fn href(values: &[(String, String)], after: Option<&str>) -> String {
    let filters: Vec<(&str, &str)> = values.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    page_href("/events", &filters, after)
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
            list_events(EventsQuery {
                event_type: f("type"),
                status: f("status"),
                offer_id: f("offer"),
                identity: f("identity"),
                from: f("from"),
                to: f("to"),
                after,
            })
        },
    );
    view! {
        <PageHead title="Events" intro="Every surface decision and offer redemption in this environment, newest first."/>
        <Loaded data=events let:d>
            {
                let v = values();
                let next = d.has_more.then(|| d.events.last().map(|e| href(&v, Some(&e.id)))).flatten();
                view! {
                    <EventFilters data=d.clone() current=v/>
                    <EventTable data=d/>
                    {next.map(|h| view! { <p><a href=h>"Older events →"</a></p> })}
                }
            }
        </Loaded>
    }
}

#[component]
fn EventFilters(data: EventsData, current: Vec<(String, String)>) -> impl IntoView {
    let get = |k: &str| current.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap_or_default();
    let [ty, status, offer, identity, from, to] = FILTERS.map(get);
    let mut offers = vec![(String::new(), "All offers".to_string())];
    offers.extend(data.offers.iter().cloned());
    let types = choices(&[("", "All"), ("surface.decision", "Decisions"), ("offer.redemption", "Redemptions")]);
    let statuses = choices(&[
        ("", "All"),
        ("presented", "Presented"),
        ("empty", "Nothing presented"),
        ("succeeded", "Succeeded"),
        ("declined", "Declined"),
        ("failed", "Failed"),
    ]);
    let tz = data.time_zone;
    view! {
        <form method="get" action="/events" class="filters" role="search" aria-label="Filter events">
            <SelectField id="ev-type" label="Type" name="type" choices=types selected=ty/>
            <SelectField id="ev-status" label="Status" name="status" choices=statuses selected=status/>
            <SelectField id="ev-offer" label="Offer" name="offer" choices=offers selected=offer/>
            <Field id="ev-identity" label="Identity">
                <input id="ev-identity" name="identity" value=identity placeholder="buyer@example.com or anon_…"/>
            </Field>
            <Field id="ev-from" label=format!("From ({tz})")>
                <input id="ev-from" name="from" type="date" value=from/>
            </Field>
            <Field id="ev-to" label=format!("To ({tz})")>
                <input id="ev-to" name="to" type="date" value=to/>
            </Field>
            <button type="submit">"Filter"</button>
        </form>
    }
}

#[component]
fn EventTable(data: EventsData) -> impl IntoView {
    let offers = data.offers;
    let name_of = move |oid: &Option<String>| {
        oid.as_ref().map(|o| offers.iter().find(|(id, _)| id == o).map(|(_, n)| n.clone()).unwrap_or_else(|| o.clone())).unwrap_or_default()
    };
    view! {
        <ListTable rows=data.events headers=cols(&["Time", "Type", "Status", "Offer", "Identity", "Duration"]) empty="No events match." label="Events" let:e>
            <tr>
                <td><a href=format!("/events/{}", e.id)>{short_time(&e.created_at)}</a></td>
                <td>{if e.event_type == crate::model::EventType::SurfaceDecision { "Decision" } else { "Redemption" }}</td>
                <td><span class=status_badge(e.status)>{e.status.as_str()}</span></td>
                <td>{name_of(&e.offer_id)}</td>
                <td>{e.identity.clone().unwrap_or_default()}</td>
                <td>{e.duration_ms.map(|ms| format!("{ms} ms")).unwrap_or_default()}</td>
            </tr>
        </ListTable>
    }
}
