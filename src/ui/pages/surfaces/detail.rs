//! A surface's page: the decision request to send for it, edit and delete.
use super::form::SurfaceForm;
use crate::server_fns::surfaces::{DeleteSurface, SaveSurface, get_surface};
use crate::ui::components::{ButtonForm, DangerPanel, DetailPage, action_error, path_param};
use crate::ui::layout::can_edit;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SurfacePage() -> impl IntoView {
    let id = path_param("id");
    let save = ServerAction::<SaveSurface>::new();
    let delete = ServerAction::<DeleteSurface>::new();
    let data = Resource::new(move || (id(), save.version().get()), |(id, _)| get_surface(id));
    view! {
        <DetailPage back="/surfaces" back_label="Surfaces" data error_title="Surface" let:d>
            {
                let (s, experiences) = d;
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
                        <DangerPanel heading="Delete" error=action_error(delete)>
                            <ButtonForm action=delete hidden=vec![("id", s.id.clone())] label="Delete surface" class="button-danger"/>
                        </DangerPanel>
                    })}
                }
            }
        </DetailPage>
    }
}
