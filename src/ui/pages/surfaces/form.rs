//! The surface form, for a new surface and for editing one: name, slug and slots as rows.
use super::facet_name;
use crate::model::Surface;
use crate::server_fns::surfaces::SaveSurface;
use crate::ui::components::{Field, FormError, GroupTable, RowInput, RowSelect, Saved, action_error, action_ok, choices, cols};
use leptos::prelude::*;

#[component]
pub fn SurfaceForm(save: ServerAction<SaveSurface>, surface: Option<Surface>, experiences: Vec<(String, String)>) -> impl IntoView {
    let err = action_error(save);
    let saved = action_ok(save);
    let is_new = surface.is_none();
    let slots = surface.as_ref().map(|s| s.slots.clone()).unwrap_or_default();
    let id_value = surface.as_ref().map(|s| s.id.clone()).unwrap_or_default();
    let name_value = surface.as_ref().map(|s| s.name.clone()).unwrap_or_default();
    let slug_value = surface.as_ref().map(|s| s.slug.clone()).unwrap_or_default();
    let mut targets = vec![(String::new(), "—".to_string())];
    targets.extend(experiences);
    let rows = (0..slots.len() + 2)
        .map(|i| {
            let sl = slots.get(i);
            let facet = sl.map(|s| facet_name(s.facet)).unwrap_or("web");
            let xid = sl.and_then(|s| s.experience_id.clone()).unwrap_or_default();
            let n = i + 1;
            view! {
                <tr>
                    <RowInput name=format!("slot_keys[{i}]") label=format!("Slot {n} key") value=sl.map(|s| s.key.clone()).unwrap_or_default()
                        error=err field=format!("slots[{i}].key")/>
                    <RowSelect name=format!("slot_facets[{i}]") label=format!("Slot {n} facet") choices=choices(&["web", "json", "text"].map(|v| (v, v))) selected=facet/>
                    <RowSelect name=format!("slot_experiences[{i}]") label=format!("Slot {n} experience") choices=targets.clone() selected=xid
                        error=err field=format!("slots[{i}].experienceId")/>
                </tr>
            }
        })
        .collect_view();
    view! {
        <ActionForm action=save attr:class="form" attr:aria-label=if is_new { "New surface" } else { "Edit surface" }>
            <input type="hidden" name="id" value=id_value/>
            <FormError error=err/>
            <Saved when=Signal::derive(move || saved.get() && !is_new)/>
            <Field id="sf-name" label="Name" error=err field="name">
                <input id="sf-name" name="name" value=name_value/>
            </Field>
            <Field id="sf-slug" label="Slug" error=err field="slug">
                <input id="sf-slug" name="slug" placeholder="pricing-page" value=slug_value/>
            </Field>
            <GroupTable legend="Slots (blank rows are ignored)" headers=cols(&["Key", "Facet", "Experience"])>
                {rows}
            </GroupTable>
            <button type="submit" class="button-primary">{if is_new { "Create surface" } else { "Save surface" }}</button>
        </ActionForm>
    }
}
