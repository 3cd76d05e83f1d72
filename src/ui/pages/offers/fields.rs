//! The offer form's fields, shared by the create form and the edit form.
use crate::error::AppError;
use crate::model::{Offer, OfferFormData, escape_html};
use crate::ui::components::{Check, Field, FieldError, FormError, Options, choices};
use leptos::prelude::*;

#[component]
pub fn OfferFields(err: Signal<Option<AppError>>, data: OfferFormData, offer: Option<Offer>, from: String, until: String) -> impl IntoView {
    let o = offer.clone();
    let text = |f: fn(&Offer) -> String| o.as_ref().map(f).unwrap_or_default();
    let name = text(|o| o.name.clone());
    let method_id = text(|o| o.redemption_method_id.clone());
    let title = text(|o| o.presentation.title.clone());
    let price_label = text(|o| o.presentation.price.clone().unwrap_or_default());
    let description = escape_html(&text(|o| o.presentation.description.clone().unwrap_or_default()));
    let chosen: Vec<String> = o.as_ref().map(|o| o.price_ids.clone()).unwrap_or_default();
    let instructions = o
        .as_ref()
        .map(|o| {
            if o.instructions.as_object().is_some_and(|m| m.is_empty()) {
                String::new()
            } else {
                serde_json::to_string_pretty(&o.instructions).unwrap_or_default()
            }
        })
        .unwrap_or_default();
    let audience = o.as_ref().map(|o| o.audience.as_str()).unwrap_or("all").to_string();
    let campaign = text(|o| o.campaign.clone().unwrap_or_default());
    let tz = data.time_zone.clone();
    let methods = data.methods.clone();
    let audiences = choices(&[("all", "Everyone"), ("anonymous", "Anonymous visitors"), ("authenticated", "Signed-in users")]);
    view! {
        <FormError error=err/>
        <Field id="o-name" label="Name" error=err field="name">
            <input id="o-name" name="name" value=name/>
        </Field>
        <Field id="o-method" label="Redemption method" error=err field="redemptionMethodId">
            <select id="o-method" name="method_id">
                <Options choices=methods selected=method_id/>
            </select>
        </Field>
        <fieldset class="field">
            <legend>"Prices"</legend>
            {data.prices.iter().enumerate().map(|(i, p)| view! {
                <Check id=format!("o-price-{i}") name=format!("price_ids[{i}]") value=p.id.clone() checked=chosen.contains(&p.id) label=p.label.clone()/>
            }).collect_view()}
            <FieldError error=err field="priceIds"/>
        </fieldset>
        <Field id="o-title" label="Title" error=err field="presentation.title">
            <input id="o-title" name="title" value=title/>
        </Field>
        <Field id="o-price-label" label="Price label">
            <input id="o-price-label" name="price_label" placeholder="formatted from the first price" value=price_label/>
        </Field>
        <Field id="o-description" label="Description">
            <textarea id="o-description" name="description" rows="2" inner_html=description></textarea>
        </Field>
        <Field id="o-instructions" label="Instructions (JSON object merged over the Checkout parameters)" error=err field="instructions">
            <textarea id="o-instructions" name="instructions" rows="4" class="code-editor" spellcheck="false" placeholder="{\"allow_promotion_codes\": true}" inner_html=escape_html(&instructions)></textarea>
        </Field>
        <Field id="o-from" label=format!("Valid from ({tz})") error=err field="validFrom">
            <input id="o-from" name="valid_from" type="datetime-local" value=from/>
        </Field>
        <Field id="o-until" label=format!("Valid until ({tz})") error=err field="validUntil">
            <input id="o-until" name="valid_until" type="datetime-local" value=until/>
        </Field>
        <Field id="o-audience" label="Audience">
            <select id="o-audience" name="audience">
                <Options choices=audiences selected=audience/>
            </select>
        </Field>
        <Field id="o-campaign" label="Campaign (optional: its page counts this offer's presentations and redemptions)" error=err field="campaign">
            <input id="o-campaign" name="campaign" maxlength="64" value=campaign/>
        </Field>
    }
}
