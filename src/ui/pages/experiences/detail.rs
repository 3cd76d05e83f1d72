//! An experience's page (also the editor of a new one, `/experiences/new?kind=…`): content as
//! HTML with a live preview or as the fields of its schema, its offers per slot, and delete.
use super::slots::SlotOffers;
use crate::error::AppError;
use crate::model::{ExperienceDetail, ExperienceKind, FieldType, PresentationSchema, escape_html, fill_offer_placeholders};
use crate::server_fns::experiences::{ArrangeOffer, DeleteExperience, SaveExperience, get_experience};
use crate::ui::components::{
    ButtonForm, DangerPanel, DetailPage, Field, FieldError, FormError, RowError, Saved, action_error, action_ok, path_param, query_param,
};
use crate::ui::layout::can_edit;
use leptos::prelude::*;
use leptos_meta::Title;

const HTML_EXAMPLE: &str =
    "<div class=\"offer\">\n  <h2>{{offer.title}}</h2>\n  <p>{{offer.price}}</p>\n  <button data-offer-token=\"{{offer.token}}\">Subscribe</button>\n</div>\n";

#[component]
pub fn ExperiencePage() -> impl IntoView {
    let id = path_param("id");
    let (kind, schema_id) = (query_param("kind"), query_param("schemaId"));
    let save = ServerAction::<SaveExperience>::new();
    let arrange = ServerAction::<ArrangeOffer>::new();
    let delete = ServerAction::<DeleteExperience>::new();
    let detail = Resource::new(
        move || (id(), kind(), schema_id(), save.version().get(), arrange.version().get()),
        |(id, k, s, ..)| get_experience(id, k.unwrap_or_default(), s.unwrap_or_default()),
    );
    view! {
        <DetailPage back="/experiences" back_label="Experiences" data=detail error_title="Experience" let:d>
            <ExperienceView detail=d save arrange delete/>
        </DetailPage>
    }
}

#[component]
fn ExperienceView(
    detail: ExperienceDetail,
    save: ServerAction<SaveExperience>,
    arrange: ServerAction<ArrangeOffer>,
    delete: ServerAction<DeleteExperience>,
) -> impl IntoView {
    let editable = can_edit();
    let title = detail.experience.as_ref().map(|x| x.name.clone()).unwrap_or_else(|| "New experience".into());
    let kind = detail.kind;
    let x = detail.experience.clone();
    view! {
        <Title text=format!("{title} · offerdeck")/>
        <h1>{title.clone()}" "<span class="badge">{if kind == ExperienceKind::App { "App" } else { "HTML" }}</span></h1>
        {detail.schema.as_ref().map(|s| view! { <p class="muted">"Presentation schema: "<a href=format!("/experiences/schemas/{}", s.id)>{s.name.clone()}</a></p> })}
        <ContentForm detail=detail.clone() save editable/>
        {x.map(|x| {
            let xid = x.id.clone();
            view! {
                <section class="panel">
                    <h2>"Offers"</h2>
                    <p class="muted">"Per offer slot, the first offer eligible for the visitor (validity window, audience) is presented."</p>
                    {detail.slots.iter().map(|slot| {
                        let list = x.offers.get(slot).cloned().unwrap_or_default();
                        view! { <SlotOffers id=xid.clone() slot_key=slot.clone() list offers=detail.offers.clone() arrange editable/> }
                    }).collect_view()}
                </section>
                {editable.then(|| view! {
                    <DangerPanel heading="Delete" error=action_error(delete)>
                        <ButtonForm action=delete hidden=vec![("id", xid.clone())] label="Delete experience" class="button-danger"/>
                    </DangerPanel>
                })}
            }
        })}
    }
}

/// Name and content: the schema's fields for an app experience, else HTML with its preview.
#[component]
fn ContentForm(detail: ExperienceDetail, save: ServerAction<SaveExperience>, editable: bool) -> impl IntoView {
    let err = action_error(save);
    let saved = action_ok(save);
    let x = detail.experience.clone();
    let is_new = x.is_none();
    let kind = detail.kind;
    let content = x.as_ref().map(|x| x.content.clone()).unwrap_or_default();
    let schema_value = detail.schema.as_ref().map(|s| s.id.clone()).unwrap_or_default();
    let id_value = x.as_ref().map(|x| x.id.clone()).unwrap_or_default();
    let name_value = x.as_ref().map(|x| x.name.clone()).unwrap_or_default();
    let content_fields = match (kind, detail.schema.clone()) {
        (ExperienceKind::App, Some(schema)) => view! { <AppFields schema content err/> }.into_any(),
        _ => {
            let html = x.as_ref().and_then(|x| x.html.clone()).unwrap_or_else(|| HTML_EXAMPLE.into());
            view! { <HtmlField html detail err/> }.into_any()
        }
    };
    view! {
        <section class="panel">
            <h2>"Content"</h2>
            <ActionForm action=save attr:class="form" attr:aria-label="Experience content">
                <input type="hidden" name="id" value=id_value/>
                <input type="hidden" name="kind" value=if kind == ExperienceKind::App { "app" } else { "html" }/>
                <input type="hidden" name="schema_id" value=schema_value/>
                <FormError error=err/>
                <Saved when=Signal::derive(move || saved.get() && !is_new)/>
                <Field id="x-name" label="Name" error=err field="name">
                    <input id="x-name" name="name" value=name_value/>
                </Field>
                {content_fields}
                {editable.then(|| view! { <button type="submit" class="button-primary">{if is_new { "Create experience" } else { "Save content" }}</button> })}
            </ActionForm>
        </section>
    }
}

/// One control per schema field, named `content[key]`.
#[component]
fn AppFields(schema: PresentationSchema, content: serde_json::Value, err: Signal<Option<AppError>>) -> impl IntoView {
    schema
        .fields
        .into_iter()
        .map(|f| {
            let name = format!("content[{}]", f.key);
            let input_id = format!("x-f-{}", f.key);
            let label = format!("{}{}", f.label, if f.required { " (required)" } else { "" });
            let value = content.get(&f.key).cloned().unwrap_or(serde_json::Value::Null);
            let text = match &value {
                serde_json::Value::String(s) => s.clone(),
                serde_json::Value::Null => String::new(),
                v => v.to_string(),
            };
            let control = match f.field_type {
                FieldType::Text => view! { <textarea id=input_id.clone() name=name rows="3" inner_html=escape_html(&text)></textarea> }.into_any(),
                FieldType::Number => view! { <input id=input_id.clone() name=name type="number" step="any" value=text/> }.into_any(),
                FieldType::Boolean => {
                    view! { <input id=input_id.clone() name=name type="checkbox" value="true" checked=value == serde_json::Value::Bool(true)/> }.into_any()
                }
                FieldType::String => view! { <input id=input_id.clone() name=name value=text/> }.into_any(),
            };
            view! {
                <div class=if f.field_type == FieldType::Boolean { "field-check" } else { "field" }>
                    <label for=input_id>{label}</label>
                    {control}
                    <RowError error=err field=format!("content.{}", f.key) label=f.label.clone()/>
                </div>
            }
        })
        .collect_view()
}

/// The HTML editor and the preview, filled with the first offer of the first slot that has one.
#[component]
fn HtmlField(html: String, detail: ExperienceDetail, err: Signal<Option<AppError>>) -> impl IntoView {
    let (current, set_current) = signal(html.clone());
    let x = detail.experience.as_ref();
    let sample = x.and_then(|x| x.offers.values().flat_map(|v| v.first()).next().cloned()).and_then(|oid| {
        detail.offers.iter().find(|(id, ..)| *id == oid).map(|(id, _, p)| serde_json::json!({"id": id, "presentation": p, "token": "preview-token"}))
    });
    let preview = move || fill_offer_placeholders(&current.get(), sample.as_ref());
    view! {
        <div class="field">
            <label for="x-html">"HTML, CSS and JavaScript"</label>
            <p class="muted">"Placeholders filled (HTML-escaped) with the presented offer: {{offer.title}}, {{offer.price}}, {{offer.description}}, {{offer.token}}, {{offer.id}}."</p>
            <textarea id="x-html" name="html" class="code-editor" data-language="html" rows="14" spellcheck="false"
                on:input=move |ev| set_current.set(event_target_value(&ev)) inner_html=escape_html(&html)></textarea>
            <FieldError error=err field="html"/>
        </div>
        <div class="field">
            <p class="label">"Preview"</p>
            // Sandboxed: scripts run, but without our origin and without navigating the dashboard.
            <iframe class="preview" title="Experience preview" sandbox="allow-scripts" srcdoc=preview></iframe>
        </div>
    }
}
