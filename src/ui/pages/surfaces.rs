//! Offers → Surfaces: named places in the merchant's product (`pricing-page`) whose slots link
//! experiences; `POST /api/v1/surface-decisions` resolves them.
use crate::model::{Facet, SessionInfo, Surface};
use crate::server_fns::experiences::*;
use crate::ui::components::{ErrorPanel, FieldError, FormError, Loading, action_error, action_ok};
use crate::ui::pages::experiences::RowError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

fn can_edit() -> bool {
    use_context::<SessionInfo>().is_some_and(|i| i.can_edit())
}

fn facet_name(f: Facet) -> &'static str {
    match f {
        Facet::Web => "web",
        Facet::Json => "json",
        Facet::Text => "text",
    }
}

#[component]
pub fn SurfacesPage() -> impl IntoView {
    let save = ServerAction::<SaveSurface>::new();
    let data = Resource::new(|| (), |_| list_surfaces());
    view! {
        <Title text="Surfaces · offerdeck"/>
        <h1>"Surfaces"</h1>
        <p class="muted">"A surface is a place in your product that asks offerdeck what to show; each slot links an experience."</p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <ErrorPanel error=e/> }.into_any(),
                    Ok(d) => {
                        let names = d.experiences.clone();
                        view! {
                            {if d.surfaces.is_empty() {
                                view! { <p class="empty">"No surfaces yet."</p> }.into_any()
                            } else {
                                view! {
                                    <table class="table">
                                        <thead><tr><th scope="col">"Name"</th><th scope="col">"Slug"</th><th scope="col">"Slots"</th></tr></thead>
                                        <tbody>
                                            {d.surfaces.into_iter().map(|s| {
                                                let slots = s.slots.iter().map(|sl| {
                                                    let x = sl.experience_id.as_ref().and_then(|x| names.iter().find(|(id, _)| id == x)).map(|(_, n)| n.clone()).unwrap_or_else(|| "—".into());
                                                    format!("{} ({}) → {x}", sl.key, facet_name(sl.facet))
                                                }).collect::<Vec<_>>().join("; ");
                                                view! {
                                                    <tr>
                                                        <td><a href=format!("/surfaces/{}", s.id)>{s.name.clone()}</a></td>
                                                        <td><code>{s.slug.clone()}</code></td>
                                                        <td>{slots}</td>
                                                    </tr>
                                                }
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any()
                            }}
                            {can_edit().then(|| view! {
                                <section class="panel">
                                    <h2>"New surface"</h2>
                                    <SurfaceForm save surface=None experiences=d.experiences.clone()/>
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
fn SurfaceForm(save: ServerAction<SaveSurface>, surface: Option<Surface>, experiences: Vec<(String, String)>) -> impl IntoView {
    let err = action_error(save);
    let saved = action_ok(save);
    let is_new = surface.is_none();
    let slots = surface.as_ref().map(|s| s.slots.clone()).unwrap_or_default();
    let rows = slots.len() + 2;
    view! {
        <ActionForm action=save attr:class="form" attr:aria-label=if is_new { "New surface" } else { "Edit surface" }>
            <input type="hidden" name="id" value=surface.as_ref().map(|s| s.id.clone()).unwrap_or_default()/>
            <FormError error=err/>
            {move || (saved.get() && !is_new).then(|| view! { <p class="form-ok" role="status">"Saved."</p> })}
            <div class="field">
                <label for="sf-name">"Name"</label>
                <input id="sf-name" name="name" value=surface.as_ref().map(|s| s.name.clone()).unwrap_or_default()/>
                <FieldError error=err field="name"/>
            </div>
            <div class="field">
                <label for="sf-slug">"Slug"</label>
                <input id="sf-slug" name="slug" placeholder="pricing-page" value=surface.as_ref().map(|s| s.slug.clone()).unwrap_or_default()/>
                <FieldError error=err field="slug"/>
            </div>
            <fieldset class="field">
                <legend>"Slots (blank rows are ignored)"</legend>
                <table class="table table-compact">
                    <thead><tr><th scope="col">"Key"</th><th scope="col">"Facet"</th><th scope="col">"Experience"</th></tr></thead>
                    <tbody>
                        {(0..rows).map(|i| {
                            let sl = slots.get(i).cloned();
                            let facet = sl.as_ref().map(|s| facet_name(s.facet)).unwrap_or("web");
                            let xid = sl.as_ref().and_then(|s| s.experience_id.clone()).unwrap_or_default();
                            let n = i + 1;
                            view! {
                                <tr>
                                    <td>
                                        <input name=format!("slot_keys[{i}]") aria-label=format!("Slot {n} key") value=sl.as_ref().map(|s| s.key.clone()).unwrap_or_default()/>
                                        <RowError error=err field=format!("slots[{i}].key") label=format!("Slot {n} key")/>
                                    </td>
                                    <td>
                                        <select name=format!("slot_facets[{i}]") aria-label=format!("Slot {n} facet")>
                                            {["web", "json", "text"].into_iter().map(|v| view! { <option value=v selected=v == facet>{v}</option> }).collect_view()}
                                        </select>
                                    </td>
                                    <td>
                                        <select name=format!("slot_experiences[{i}]") aria-label=format!("Slot {n} experience")>
                                            <option value="">"—"</option>
                                            {experiences.iter().map(|(id, name)| view! { <option value=id.clone() selected=*id == xid>{name.clone()}</option> }).collect_view()}
                                        </select>
                                        <RowError error=err field=format!("slots[{i}].experienceId") label=format!("Slot {n} experience")/>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </fieldset>
            <button type="submit" class="button-primary">{if is_new { "Create surface" } else { "Save surface" }}</button>
        </ActionForm>
    }
}

#[component]
pub fn SurfacePage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let save = ServerAction::<SaveSurface>::new();
    let delete = ServerAction::<DeleteSurface>::new();
    let del_err = action_error(delete);
    let data = Resource::new(move || (id(), save.version().get()), |(id, _)| get_surface(id));
    view! {
        <p class="crumbs"><a href="/surfaces">"← Surfaces"</a></p>
        <Suspense fallback=Loading>
            {move || Suspend::new(async move {
                match data.await {
                    Err(e) => view! { <Title text="Surface · offerdeck"/><ErrorPanel error=e/> }.into_any(),
                    Ok((s, experiences)) => {
                        let sid = s.id.clone();
                        let example = format!("{{\"surfaceSlug\":\"{}\",\"identity\":{{\"createAnonymousIdentifier\":true}}}}", s.slug);
                        view! {
                            <Title text=format!("{} · offerdeck", s.name)/>
                            <h1>{s.name.clone()}" "<code>{s.slug.clone()}</code></h1>
                            <section class="panel">
                                <h2>"Ask for a decision"</h2>
                                <pre class="code-output">{format!("POST /api/v1/surface-decisions\n{example}")}</pre>
                            </section>
                            {can_edit().then(|| view! {
                                <section class="panel"><SurfaceForm save surface=Some(s.clone()) experiences/></section>
                                <section class="panel">
                                    <h2>"Delete"</h2>
                                    <FormError error=del_err/>
                                    <ActionForm action=delete attr:class="inline-form">
                                        <input type="hidden" name="id" value=sid.clone()/>
                                        <button type="submit" class="button-danger">"Delete surface"</button>
                                    </ActionForm>
                                </section>
                            })}
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}
