//! Presentation → Experiences and presentation schemas (`server_fns::experiences`, `server_fns::schemas`). A schema
//! (`schemas`) lists an app experience's fields and offer slots. An experience is HTML (code
//! editor, live preview in a sandboxed iframe) or an app experience (a form generated from its
//! schema): the list (`list`), an experience's page (`detail`) and, per offer slot, its
//! priority-ordered offers, reordered with buttons that are plain form posts (`slots`).
mod detail;
mod list;
mod schemas;
mod slots;

pub use detail::ExperiencePage;
pub use list::ExperiencesPage;
pub use schemas::{SchemaPage, SchemasPage};
