//! Offers → Presentation schemas and Experiences. A schema lists an app experience's fields
//! and offer slots. An experience is HTML (code editor, live preview in a sandboxed iframe) or
//! an app experience (a form generated from its schema); either has, per offer slot, a
//! priority-ordered list of offers, reordered with buttons that are plain form posts.
use crate::error::AppError;
use crate::model::{ExperienceDetail, ExperienceKind, FieldType, PresentationSchema, SessionInfo, fill_offer_placeholders};
use crate::server_fns::experiences::*;
use crate::ui::components::{ErrorPanel, FieldError, FormError, Loading, action_error, action_ok};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

fn can_edit() -> bool {
    use_context::<SessionInfo>().is_some_and(|i| i.can_edit())
}

/// A field error for a field named at run time (rows of a repeated group).
#[component]
pub fn RowError(#[prop(into)] error: Signal<Option<AppError>>, field: String, label: String) -> impl IntoView {
    move || error.get().and_then(|e| e.fields.get(&field).cloned()).map(|m| view! { <p class="field-error">{format!("{label} {m}")}</p> })
}

fn type_name(t: FieldType) -> &'static str {
    match t {
        FieldType::String => "string",
        FieldType::Number => "number",
        FieldType::Boolean => "boolean",
        FieldType::Text => "text",
    }
}

#[component]
pub fn SchemasPage() -> impl IntoView {
    let save = ServerAction::<SaveSchema>::new();
    let schemas = Resource::new(|| (), |_| list_schemas());
    view! {
        <Title text="Presentation schemas · offerdeck"/>
        <h1>"Presentation schemas"</h1>
        <p class="muted">"A schema names the fields an app experience fills in and the offer slots it presents."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match schemas.await {
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    Ok(list) if list.is_empty() => view! { <p class="empty">"No presentation schemas yet."</p> }.into_any(),
                    Ok(list) => view! {
                        <table class="table">
                            <thead><tr><th scope="col">"Name"</th><th scope="col">"Fields"</th><th scope="col">"Offer slots"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|s| view! {
                                    <tr>
                                        <td><a href=format!("/experiences/schemas/{}", s.id)>{s.name.clone()}</a></td>
                                        <td>{s.fields.iter().map(|f| f.key.clone()).collect::<Vec<_>>().join(", ")}</td>
                                        <td>{s.offer_slots.join(", ")}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                }
            })}
        </Suspense>
        {can_edit().then(|| view! {
            <section class="panel">
                <h2>"New presentation schema"</h2>
                <SchemaForm save schema=None/>
            </section>
        })}
    }
}

#[component]
fn SchemaForm(save: ServerAction<SaveSchema>, schema: Option<PresentationSchema>) -> impl IntoView {
    let err = action_error(save);
    let saved = action_ok(save);
    let is_new = schema.is_none();
    let fields = schema.as_ref().map(|s| s.fields.clone()).unwrap_or_default();
    let rows = fields.len() + 3;
    view! {
        <ActionForm action=save attr:class="form" attr:aria-label=if is_new { "New presentation schema" } else { "Edit presentation schema" }>
            <input type="hidden" name="id" value=schema.as_ref().map(|s| s.id.clone()).unwrap_or_default()/>
            <FormError error=err/>
            {move || (saved.get() && !is_new).then(|| view! { <p class="form-ok" role="status">"Saved."</p> })}
            <div class="field">
                <label for="s-name">"Name"</label>
                <input id="s-name" name="name" value=schema.as_ref().map(|s| s.name.clone()).unwrap_or_default()/>
                <FieldError error=err field="name"/>
            </div>
            <fieldset class="field">
                <legend>"Fields (blank rows are ignored)"</legend>
                <table class="table table-compact">
                    <thead><tr><th scope="col">"Key"</th><th scope="col">"Type"</th><th scope="col">"Label"</th><th scope="col">"Required"</th></tr></thead>
                    <tbody>
                        {(0..rows).map(|i| {
                            let f = fields.get(i).cloned();
                            let t = f.as_ref().map(|f| type_name(f.field_type)).unwrap_or("string");
                            let req = f.as_ref().is_some_and(|f| f.required);
                            let n = i + 1;
                            view! {
                                <tr>
                                    <td>
                                        <input name=format!("field_keys[{i}]") aria-label=format!("Field {n} key") value=f.as_ref().map(|f| f.key.clone()).unwrap_or_default()/>
                                        <RowError error=err field=format!("fields[{i}].key") label=format!("Field {n} key")/>
                                    </td>
                                    <td>
                                        <select name=format!("field_types[{i}]") aria-label=format!("Field {n} type")>
                                            {["string", "text", "number", "boolean"].into_iter().map(|v| view! { <option value=v selected=v == t>{v}</option> }).collect_view()}
                                        </select>
                                    </td>
                                    <td>
                                        <input name=format!("field_labels[{i}]") aria-label=format!("Field {n} label") value=f.as_ref().map(|f| f.label.clone()).unwrap_or_default()/>
                                        <RowError error=err field=format!("fields[{i}].label") label=format!("Field {n} label")/>
                                    </td>
                                    <td>
                                        <select name=format!("field_required[{i}]") aria-label=format!("Field {n} required")>
                                            <option value="optional" selected=!req>"optional"</option>
                                            <option value="required" selected=req>"required"</option>
                                        </select>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </fieldset>
            <div class="field">
                <label for="s-slots">"Offer slots (comma-separated)"</label>
                <input id="s-slots" name="offer_slots" placeholder="primary" value=schema.as_ref().map(|s| s.offer_slots.join(", ")).unwrap_or_default()/>
                {move || err.get().map(|e| e.fields.iter().filter(|(k, _)| k.starts_with("offerSlots")).map(|(_, m)| view! { <p class="field-error">{format!("Offer slot {m}")}</p> }).collect_view())}
            </div>
            <button type="submit" class="button-primary">{if is_new { "Create schema" } else { "Save schema" }}</button>
        </ActionForm>
    }
}

#[component]
pub fn SchemaPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let save = ServerAction::<SaveSchema>::new();
    let delete = ServerAction::<DeleteSchema>::new();
    let del_err = action_error(delete);
    let schema = Resource::new(move || (id(), save.version().get()), |(id, _)| get_schema(id));
    view! {
        <p class="crumbs"><a href="/experiences/schemas">"← Presentation schemas"</a></p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match schema.await {
                    Err(e) => view! { <Title text="Presentation schema · offerdeck"/><ErrorPanel error=e/> }.into_any(),
                    Ok(s) => {
                        let sid = s.id.clone();
                        view! {
                            <Title text=format!("{} · offerdeck", s.name)/>
                            <h1>{s.name.clone()}</h1>
                            {if can_edit() {
                                view! {
                                    <section class="panel"><SchemaForm save schema=Some(s)/></section>
                                    <section class="panel">
                                        <h2>"Delete"</h2>
                                        <FormError error=del_err/>
                                        <ActionForm action=delete attr:class="inline-form">
                                            <input type="hidden" name="id" value=sid/>
                                            <button type="submit" class="button-danger">"Delete schema"</button>
                                        </ActionForm>
                                    </section>
                                }.into_any()
                            } else {
                                view! {
                                    <ul>{s.fields.iter().map(|f| view! { <li>{format!("{} ({}){}", f.label, type_name(f.field_type), if f.required { ", required" } else { "" })}</li> }).collect_view()}</ul>
                                }.into_any()
                            }}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn ExperiencesPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| list_experiences());
    view! {
        <Title text="Experiences · offerdeck"/>
        <h1>"Experiences"</h1>
        <p class="muted">"What a surface slot shows: your own HTML, or content for your app shaped by a presentation schema, plus the offers to present in priority order."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    Ok(d) => {
                        let schemas = d.schemas.clone();
                        view! {
                            {if d.experiences.is_empty() {
                                view! { <p class="empty">"No experiences yet."</p> }.into_any()
                            } else {
                                view! {
                                    <table class="table">
                                        <thead><tr><th scope="col">"Name"</th><th scope="col">"Type"</th><th scope="col">"Offers"</th><th scope="col">"Updated"</th></tr></thead>
                                        <tbody>
                                            {d.experiences.into_iter().map(|x| view! {
                                                <tr>
                                                    <td><a href=format!("/experiences/{}", x.id)>{x.name.clone()}</a></td>
                                                    <td>{if x.kind == ExperienceKind::App { "App" } else { "HTML" }}</td>
                                                    <td>{x.offers.values().map(Vec::len).sum::<usize>()}</td>
                                                    <td>{crate::ui::components::short_time(&x.updated_at)}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any()
                            }}
                            {can_edit().then(|| view! {
                                <section class="panel">
                                    <h2>"New experience"</h2>
                                    <form method="get" action="/experiences/new" class="form" aria-label="New experience">
                                        <div class="field">
                                            <label for="x-kind">"Type"</label>
                                            <select id="x-kind" name="kind">
                                                <option value="html">"HTML"</option>
                                                <option value="app">"App (fields from a presentation schema)"</option>
                                            </select>
                                        </div>
                                        <div class="field">
                                            <label for="x-schema">"Presentation schema (app experiences)"</label>
                                            <select id="x-schema" name="schemaId">
                                                <option value="">"—"</option>
                                                {schemas.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                                            </select>
                                        </div>
                                        <button type="submit" class="button-primary">"Continue"</button>
                                    </form>
                                </section>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn ExperiencePage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let kind = move || query.read().get("kind").unwrap_or_default();
    let schema_id = move || query.read().get("schemaId").unwrap_or_default();
    let save = ServerAction::<SaveExperience>::new();
    let arrange = ServerAction::<ArrangeOffer>::new();
    let delete = ServerAction::<DeleteExperience>::new();
    let detail = Resource::new(move || (id(), kind(), schema_id(), save.version().get(), arrange.version().get()), |(id, k, s, ..)| get_experience(id, k, s));
    view! {
        <p class="crumbs"><a href="/experiences">"← Experiences"</a></p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match detail.await {
                    Err(e) => view! { <Title text="Experience · offerdeck"/><ErrorPanel error=e/> }.into_any(),
                    Ok(d) => view! { <ExperienceView detail=d save arrange delete/> }.into_any(),
                }
            })}
        </Suspense>
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
    let err = action_error(save);
    let saved = action_ok(save);
    let x = detail.experience.clone();
    let is_new = x.is_none();
    let title = x.as_ref().map(|x| x.name.clone()).unwrap_or_else(|| "New experience".into());
    let kind = detail.kind;
    let html_text = x.as_ref().and_then(|x| x.html.clone()).unwrap_or_else(|| {
        "<div class=\"offer\">\n  <h2>{{offer.title}}</h2>\n  <p>{{offer.price}}</p>\n  <button data-offer-token=\"{{offer.token}}\">Subscribe</button>\n</div>\n".into()
    });
    let (html, set_html) = signal(html_text.clone());
    // The preview shows the first offer of the first slot that has one (or empty placeholders).
    let sample = x.as_ref().and_then(|x| x.offers.values().flat_map(|v| v.first()).next().cloned()).and_then(|oid| {
        detail.offers.iter().find(|(id, ..)| *id == oid).map(|(id, _, p)| serde_json::json!({"id": id, "presentation": p, "token": "preview-token"}))
    });
    let preview = move || fill_offer_placeholders(&html.get(), sample.as_ref());
    let content = x.as_ref().map(|x| x.content.clone()).unwrap_or_default();
    let del_err = action_error(delete);
    let id_value = x.as_ref().map(|x| x.id.clone()).unwrap_or_default();
    let name_value = x.as_ref().map(|x| x.name.clone()).unwrap_or_default();
    let schema = detail.schema.clone();
    let schema_value = schema.as_ref().map(|s| s.id.clone()).unwrap_or_default();
    view! {
        <Title text=format!("{title} · offerdeck")/>
        <h1>{title.clone()}" "<span class="badge">{if kind == ExperienceKind::App { "App" } else { "HTML" }}</span></h1>
        {detail.schema.as_ref().map(|s| view! { <p class="muted">"Presentation schema: "<a href=format!("/experiences/schemas/{}", s.id)>{s.name.clone()}</a></p> })}
        <section class="panel">
            <h2>"Content"</h2>
            <ActionForm action=save attr:class="form" attr:aria-label="Experience content">
                <input type="hidden" name="id" value=id_value/>
                <input type="hidden" name="kind" value=if kind == ExperienceKind::App { "app" } else { "html" }/>
                <input type="hidden" name="schema_id" value=schema_value/>
                <FormError error=err/>
                {move || (saved.get() && !is_new).then(|| view! { <p class="form-ok" role="status">"Saved."</p> })}
                <div class="field">
                    <label for="x-name">"Name"</label>
                    <input id="x-name" name="name" value=name_value/>
                    <FieldError error=err field="name"/>
                </div>
                {match (kind, schema) {
                    (ExperienceKind::App, Some(schema)) => schema.fields.into_iter().map(|f| {
                        let name = format!("content[{}]", f.key);
                        let input_id = format!("x-f-{}", f.key);
                        let label = format!("{}{}", f.label, if f.required { " (required)" } else { "" });
                        let value = content.get(&f.key).cloned().unwrap_or(serde_json::Value::Null);
                        let text = match &value { serde_json::Value::String(s) => s.clone(), serde_json::Value::Null => String::new(), v => v.to_string() };
                        let control = match f.field_type {
                            FieldType::Text => view! { <textarea id=input_id.clone() name=name rows="3" inner_html=crate::model::escape_html(&text)></textarea> }.into_any(),
                            FieldType::Number => view! { <input id=input_id.clone() name=name type="number" step="any" value=text/> }.into_any(),
                            FieldType::Boolean => view! { <input id=input_id.clone() name=name type="checkbox" value="true" checked=value == serde_json::Value::Bool(true)/> }.into_any(),
                            FieldType::String => view! { <input id=input_id.clone() name=name value=text/> }.into_any(),
                        };
                        let field = format!("content.{}", f.key);
                        view! {
                            <div class=if f.field_type == FieldType::Boolean { "field-check" } else { "field" }>
                                <label for=input_id>{label.clone()}</label>
                                {control}
                                <RowError error=err field=field label=f.label.clone()/>
                            </div>
                        }
                    }).collect_view().into_any(),
                    _ => view! {
                        <div class="field">
                            <label for="x-html">"HTML, CSS and JavaScript"</label>
                            <p class="muted">"Placeholders filled (HTML-escaped) with the presented offer: {{offer.title}}, {{offer.price}}, {{offer.description}}, {{offer.token}}, {{offer.id}}."</p>
                            <textarea id="x-html" name="html" class="code-editor" data-language="html" rows="14" spellcheck="false"
                                on:input=move |ev| set_html.set(event_target_value(&ev)) inner_html=crate::model::escape_html(&html_text)></textarea>
                            <FieldError error=err field="html"/>
                        </div>
                        <div class="field">
                            <p class="label">"Preview"</p>
                            // Sandboxed: scripts run, but without our origin and without navigating the dashboard.
                            <iframe class="preview" title="Experience preview" sandbox="allow-scripts" srcdoc=preview></iframe>
                        </div>
                    }.into_any(),
                }}
                {editable.then(|| view! { <button type="submit" class="button-primary">{if is_new { "Create experience" } else { "Save content" }}</button> })}
            </ActionForm>
        </section>
        {x.clone().map(|x| {
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
                    <section class="panel">
                        <h2>"Delete"</h2>
                        <FormError error=del_err/>
                        <ActionForm action=delete attr:class="inline-form">
                            <input type="hidden" name="id" value=xid.clone()/>
                            <button type="submit" class="button-danger">"Delete experience"</button>
                        </ActionForm>
                    </section>
                })}
            }
        })}
    }
}

#[component]
fn SlotOffers(
    id: String,
    slot_key: String,
    list: Vec<String>,
    offers: Vec<(String, String, serde_json::Value)>,
    arrange: ServerAction<ArrangeOffer>,
    editable: bool,
) -> impl IntoView {
    let err = action_error(arrange);
    let slot = slot_key;
    let name_of = |oid: &str| offers.iter().find(|(id, ..)| id == oid).map(|(_, n, _)| n.clone()).unwrap_or_else(|| oid.to_string());
    let count = list.len();
    let (bid, bslot) = (id.clone(), slot.clone());
    let button = move |oid: String, op: &'static str, label: String, disabled: bool| {
        let (id, slot) = (bid.clone(), bslot.clone());
        view! {
            <ActionForm action=arrange attr:class="inline-form">
                <input type="hidden" name="id" value=id/>
                <input type="hidden" name="slot" value=slot/>
                <input type="hidden" name="offer_id" value=oid/>
                <input type="hidden" name="op" value=op/>
                <button type="submit" class="button-small" aria-label=label disabled=disabled>{match op { "up" => "↑ Up", "down" => "↓ Down", _ => "Remove" }}</button>
            </ActionForm>
        }
    };
    let rows = list
        .iter()
        .enumerate()
        .map(|(i, oid)| {
            let name = name_of(oid);
            view! {
                <li>
                    <span class="priority-name">{name.clone()}</span>
                    {editable.then(|| view! {
                        <span class="priority-actions">
                            {button(oid.clone(), "up", format!("Move {name} up in {slot}"), i == 0)}
                            {button(oid.clone(), "down", format!("Move {name} down in {slot}"), i + 1 == count)}
                            {button(oid.clone(), "remove", format!("Remove {name} from {slot}"), false)}
                        </span>
                    })}
                </li>
            }
        })
        .collect_view();
    let choices: Vec<(String, String)> = offers.iter().filter(|(oid, ..)| !list.contains(oid)).map(|(oid, n, _)| (oid.clone(), n.clone())).collect();
    view! {
        <div class="slot-offers">
            <h3>{format!("Slot “{slot}”")}</h3>
            {if list.is_empty() {
                view! { <p class="empty">"No offers in this slot."</p> }.into_any()
            } else {
                view! { <ol class="priority-list" aria-label=format!("Offers in {slot}")>{rows}</ol> }.into_any()
            }}
            {(editable && !choices.is_empty()).then(|| {
                let select_id = format!("add-{slot}");
                view! {
                    <ActionForm action=arrange attr:class="inline-form">
                        <input type="hidden" name="id" value=id.clone()/>
                        <input type="hidden" name="slot" value=slot.clone()/>
                        <input type="hidden" name="op" value="add"/>
                        <label for=select_id.clone()>{format!("Add an offer to {slot}")}</label>
                        <select id=select_id name="offer_id">
                            {choices.into_iter().map(|(oid, n)| view! { <option value=oid>{n}</option> }).collect_view()}
                        </select>
                        <button type="submit" class="button-small">"Add offer"</button>
                    </ActionForm>
                }
            })}
            <FormError error=err/>
        </div>
    }
}
