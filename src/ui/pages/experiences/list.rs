//! The experience list and the form that starts a new one (a GET to its editor).
use crate::model::ExperienceKind;
use crate::server_fns::experiences::list_experiences;
use crate::ui::components::{Field, ListTable, Loaded, PageHead, SelectField, choices, cols, short_time};
use crate::ui::layout::can_edit;
use leptos::prelude::*;

#[component]
pub fn ExperiencesPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| list_experiences());
    view! {
        <PageHead title="Experiences"
            intro="What a surface slot shows: your own HTML, or content for your app shaped by a presentation schema, plus the offers to present in priority order."/>
        <Loaded data let:d>
            <ListTable rows=d.experiences headers=cols(&["Name", "Type", "Offers", "Updated"]) empty="No experiences yet." let:x>
                <tr>
                    <td><a href=format!("/experiences/{}", x.id)>{x.name.clone()}</a></td>
                    <td>{if x.kind == ExperienceKind::App { "App" } else { "HTML" }}</td>
                    <td>{x.offers.values().map(Vec::len).sum::<usize>()}</td>
                    <td>{short_time(&x.updated_at)}</td>
                </tr>
            </ListTable>
            {can_edit().then(|| view! { <NewExperience schemas=d.schemas.clone()/> })}
        </Loaded>
    }
}

#[component]
fn NewExperience(schemas: Vec<(String, String)>) -> impl IntoView {
    view! {
        <section class="panel">
            <h2>"New experience"</h2>
            <form method="get" action="/experiences/new" class="form" aria-label="New experience">
                <SelectField id="x-kind" label="Type" name="kind" choices=choices(&[("html", "HTML"), ("app", "App (fields from a presentation schema)")])/>
                <Field id="x-schema" label="Presentation schema (app experiences)">
                    <select id="x-schema" name="schemaId">
                        <option value="">"—"</option>
                        {schemas.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                </Field>
                <button type="submit" class="button-primary">"Continue"</button>
            </form>
        </section>
    }
}
