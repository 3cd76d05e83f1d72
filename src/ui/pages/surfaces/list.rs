//! The surface list (slots and the experiences they link) and the new-surface form.
use super::facet_name;
use super::form::SurfaceForm;
use crate::server_fns::surfaces::{SaveSurface, list_surfaces};
use crate::ui::components::{ListTable, Loaded, PageHead, cols};
use crate::ui::layout::can_edit;
use leptos::prelude::*;

#[component]
pub fn SurfacesPage() -> impl IntoView {
    let save = ServerAction::<SaveSurface>::new();
    let data = Resource::new(|| (), |_| list_surfaces());
    view! {
        <PageHead title="Surfaces" intro="A surface is a place in your product that asks offerdeck what to show; each slot links an experience."/>
        <Loaded data let:d>
            {
                let names = d.experiences.clone();
                let slots_of = move |s: &crate::model::Surface| {
                    s.slots.iter().map(|sl| {
                        let x = sl.experience_id.as_ref().and_then(|x| names.iter().find(|(id, _)| id == x)).map(|(_, n)| n.clone()).unwrap_or_else(|| "—".into());
                        format!("{} ({}) → {x}", sl.key, facet_name(sl.facet))
                    }).collect::<Vec<_>>().join("; ")
                };
                view! {
                    <ListTable rows=d.surfaces headers=cols(&["Name", "Slug", "Slots"]) empty="No surfaces yet." let:s>
                        <tr>
                            <td><a href=format!("/surfaces/{}", s.id)>{s.name.clone()}</a></td>
                            <td><code>{s.slug.clone()}</code></td>
                            <td>{slots_of(&s)}</td>
                        </tr>
                    </ListTable>
                    {can_edit().then(|| view! {
                        <section class="panel">
                            <h2>"New surface"</h2>
                            <SurfaceForm save surface=None experiences=d.experiences.clone()/>
                        </section>
                    })}
                }
            }
        </Loaded>
    }
}
