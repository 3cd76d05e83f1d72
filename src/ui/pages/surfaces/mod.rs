//! Presentation → Surfaces (`server_fns::surfaces`): named places in the
//! merchant's product (`pricing-page`) whose slots link experiences, resolved by
//! `POST /api/v1/surface-decisions`. The list and create form (`list`), a surface's page
//! (`detail`) and the form both use (`form`).
mod detail;
mod form;
mod list;

pub use detail::SurfacePage;
pub use list::SurfacesPage;

use crate::model::Facet;

fn facet_name(f: Facet) -> &'static str {
    match f {
        Facet::Web => "web",
        Facet::Json => "json",
        Facet::Text => "text",
    }
}
