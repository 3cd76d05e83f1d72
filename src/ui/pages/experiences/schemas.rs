//! Presentation schemas: the list with the create form, a schema's page (edit and delete, or
//! its fields for read-only roles), and the form both use (fields as repeated rows).
use crate::model::{FieldType, PresentationSchema};
use crate::server_fns::schemas::{DeleteSchema, SaveSchema, get_schema, list_schemas};
use crate::ui::components::{
    ButtonForm, DangerPanel, DetailPage, Field, FormError, GroupTable, ListTable, Loaded, PageHead, RowInput, RowSelect, Saved, action_error, action_ok,
    choices, cols, path_param,
};
use crate::ui::layout::can_edit;
use leptos::prelude::*;
use leptos_meta::Title;

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
        <PageHead title="Presentation schemas" intro="A schema names the fields an app experience fills in and the offer slots it presents."/>
        <Loaded data=schemas let:list>
            <ListTable rows=list headers=cols(&["Name", "Fields", "Offer slots"]) empty="No presentation schemas yet." let:s>
                <tr>
                    <td><a href=format!("/experiences/schemas/{}", s.id)>{s.name.clone()}</a></td>
                    <td>{s.fields.iter().map(|f| f.key.clone()).collect::<Vec<_>>().join(", ")}</td>
                    <td>{s.offer_slots.join(", ")}</td>
                </tr>
            </ListTable>
        </Loaded>
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
    let rows = (0..fields.len() + 3).map(|i| {
        let f = fields.get(i);
        let t = f.map(|f| type_name(f.field_type)).unwrap_or("string");
        let required = if f.is_some_and(|f| f.required) { "required" } else { "optional" };
        let n = i + 1;
        view! {
            <tr>
                <RowInput name=format!("field_keys[{i}]") label=format!("Field {n} key") value=f.map(|f| f.key.clone()).unwrap_or_default()
                    error=err field=format!("fields[{i}].key")/>
                <RowSelect name=format!("field_types[{i}]") label=format!("Field {n} type") choices=choices(&["string", "text", "number", "boolean"].map(|v| (v, v))) selected=t/>
                <RowInput name=format!("field_labels[{i}]") label=format!("Field {n} label") value=f.map(|f| f.label.clone()).unwrap_or_default()
                    error=err field=format!("fields[{i}].label")/>
                <RowSelect name=format!("field_required[{i}]") label=format!("Field {n} required") choices=choices(&[("optional", "optional"), ("required", "required")]) selected=required/>
            </tr>
        }
    })
    .collect_view();
    let id_value = schema.as_ref().map(|s| s.id.clone()).unwrap_or_default();
    let name_value = schema.as_ref().map(|s| s.name.clone()).unwrap_or_default();
    let slots_value = schema.as_ref().map(|s| s.offer_slots.join(", ")).unwrap_or_default();
    let slot_errors = move || {
        err.get().map(|e| {
            e.fields
                .iter()
                .filter(|(k, _)| k.starts_with("offerSlots"))
                .map(|(_, m)| view! { <p class="field-error">{format!("Offer slot {m}")}</p> })
                .collect_view()
        })
    };
    view! {
        <ActionForm action=save attr:class="form" attr:aria-label=if is_new { "New presentation schema" } else { "Edit presentation schema" }>
            <input type="hidden" name="id" value=id_value/>
            <FormError error=err/>
            <Saved when=Signal::derive(move || saved.get() && !is_new)/>
            <Field id="s-name" label="Name" error=err field="name">
                <input id="s-name" name="name" value=name_value/>
            </Field>
            <GroupTable legend="Fields (blank rows are ignored)" headers=cols(&["Key", "Type", "Label", "Required"])>
                {rows}
            </GroupTable>
            <Field id="s-slots" label="Offer slots (comma-separated)">
                <input id="s-slots" name="offer_slots" placeholder="primary" value=slots_value/>
                {slot_errors}
            </Field>
            <button type="submit" class="button-primary">{if is_new { "Create schema" } else { "Save schema" }}</button>
        </ActionForm>
    }
}

#[component]
pub fn SchemaPage() -> impl IntoView {
    let id = path_param("id");
    let save = ServerAction::<SaveSchema>::new();
    let delete = ServerAction::<DeleteSchema>::new();
    let schema = Resource::new(move || (id(), save.version().get()), |(id, _)| get_schema(id));
    view! {
        <DetailPage back="/experiences/schemas" back_label="Presentation schemas" data=schema error_title="Presentation schema" let:s>
            <Title text=format!("{} · offerdeck", s.name)/>
            <h1>{s.name.clone()}</h1>
            {if can_edit() {
                let sid = s.id.clone();
                view! {
                    <section class="panel"><SchemaForm save schema=Some(s)/></section>
                    <DangerPanel heading="Delete" error=action_error(delete)>
                        <ButtonForm action=delete hidden=vec![("id", sid)] label="Delete schema" class="button-danger"/>
                    </DangerPanel>
                }.into_any()
            } else {
                view! {
                    <ul>{s.fields.iter().map(|f| view! { <li>{format!("{} ({}){}", f.label, type_name(f.field_type), if f.required { ", required" } else { "" })}</li> }).collect_view()}</ul>
                }.into_any()
            }}
        </DetailPage>
    }
}
