//! Experiences: what a surface slot shows (HTML with offer placeholders, or `app` content that fits
//! a presentation schema), with the offers per offer slot; and what the experience pages show.
use super::PresentationSchema;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ExperienceKind {
    Html,
    App,
}

resource! {
    pub struct Experience {
        /// `exp_…`
        pub id: String,
        pub name: String,
        #[serde(rename = "type")]
        pub kind: ExperienceKind,
        pub html: Option<String>,
        pub schema_id: Option<String>,
        #[cfg_attr(feature = "ssr", schema(value_type = Object))]
        pub content: serde_json::Value,
        /// Offer slot → offer ids, highest priority first.
        pub offers: std::collections::BTreeMap<String, Vec<String>>,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ExperienceInput {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, pattern = "\\S"))]
    pub name: String,
    #[serde(rename = "type")]
    pub kind: ExperienceKind,
    #[cfg_attr(feature = "ssr", schema(max_length = 50_000))]
    pub html: Option<String>,
    pub schema_id: Option<String>,
    #[cfg_attr(feature = "ssr", schema(value_type = Option<Object>))]
    pub content: Option<serde_json::Value>,
    pub offers: Option<std::collections::BTreeMap<String, Vec<String>>>,
}

/// The experiences page: the list plus the choices of the "new experience" form.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperiencesData {
    pub experiences: Vec<Experience>,
    /// `(id, name)` of the environment's presentation schemas.
    pub schemas: Vec<(String, String)>,
}

/// One experience (or a new one) with what its editor needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExperienceDetail {
    /// `None` for the "new experience" form.
    pub experience: Option<Experience>,
    pub kind: ExperienceKind,
    pub schema: Option<PresentationSchema>,
    /// Every offer of the environment: `(id, name, presentation as JSON)`.
    pub offers: Vec<(String, String, serde_json::Value)>,
    /// The offer slots the editor shows: the schema's, or `primary` (plus any in use) for HTML.
    pub slots: Vec<String>,
}
