//! The endpoint list, the signing secrets of endpoints just made, and the new-endpoint form.
use crate::model::WEBHOOK_EVENT_TYPES;
use crate::server_fns::webhooks::{CreateWebhookEndpoint, webhooks_page};
use crate::ui::components::{Check, Field, FieldError, FormPanel, ListTable, Loaded, PageHead, action_error, cols, short_time};
use leptos::prelude::*;

#[component]
pub fn WebhooksPage() -> impl IntoView {
    let create = ServerAction::<CreateWebhookEndpoint>::new();
    let page = Resource::new(move || create.version().get(), |_| webhooks_page());
    view! {
        <PageHead title="Webhooks"
            intro="offerdeck POSTs events to your endpoints, signed the Standard Webhooks way (webhook-id, webhook-timestamp, webhook-signature). Failed deliveries are retried with growing delays for 24 hours."/>
        <Loaded data=page let:p>
            {p.new_secrets.into_iter().enumerate().map(|(i, s)| view! {
                <div class="panel panel-secret" role="status">
                    <h2>"Signing secret of the new endpoint"</h2>
                    <p>"Copy it now: it will not be shown again. Verify each delivery with it."</p>
                    <label class="visually-hidden" for=format!("new-secret-{i}")>"Signing secret"</label>
                    <input id=format!("new-secret-{i}") class="mono" readonly value=s size="48"/>
                </div>
            }).collect_view()}
            <ListTable rows=p.endpoints headers=cols(&["URL", "Events", "Status", "Created"]) empty="No endpoints in this environment yet." label="Endpoints" let:e>
                <tr>
                    <td><a href=format!("/settings/webhooks/{}", e.id)>{e.url.clone()}</a></td>
                    <td>{e.events.join(", ")}</td>
                    <td><span class=format!("badge badge-{}", if e.status == "enabled" { "active" } else { "archived" })>{e.status.clone()}</span></td>
                    <td>{short_time(&e.created_at)}</td>
                </tr>
            </ListTable>
        </Loaded>
        <NewEndpoint create/>
    }
}

#[component]
fn NewEndpoint(create: ServerAction<CreateWebhookEndpoint>) -> impl IntoView {
    let err = action_error(create);
    view! {
        <FormPanel action=create heading="Add an endpoint" submit="Add endpoint" disable_while_pending=true>
            <Field id="wh-url" label="URL" error=err field="url">
                <input id="wh-url" name="url" type="url" placeholder="https://example.com/webhooks/offerdeck"/>
            </Field>
            <Field id="wh-description" label="Description" error=err field="description">
                <input id="wh-description" name="description"/>
            </Field>
            <fieldset class="field">
                <legend>"Events"</legend>
                {WEBHOOK_EVENT_TYPES.iter().enumerate().map(|(i, t)| view! {
                    <Check id=format!("wh-ev-{i}") name=format!("events[{i}]") value=*t checked=*t == "coupon.redeemed" label=*t/>
                }).collect_view()}
                <FieldError error=err field="events"/>
            </fieldset>
        </FormPanel>
    }
}
