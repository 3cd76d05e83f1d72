//! Surfaces: named places in the merchant's product with slots, each showing an experience; and
//! what the surfaces pages show.
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Facet {
    Web,
    Json,
    Text,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SurfaceSlot {
    #[cfg_attr(feature = "ssr", schema(pattern = "^[A-Za-z0-9_-]{1,64}$"))]
    pub key: String,
    pub facet: Facet,
    pub experience_id: Option<String>,
}

resource! {
    pub struct Surface {
        /// `srf_…`
        pub id: String,
        pub name: String,
        pub slug: String,
        pub slots: Vec<SurfaceSlot>,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SurfaceInput {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, pattern = "\\S"))]
    pub name: String,
    #[cfg_attr(feature = "ssr", schema(pattern = "^[a-z0-9][a-z0-9-]{0,63}$"))]
    pub slug: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_items = 50))]
    pub slots: Vec<SurfaceSlot>,
}

/// The surfaces page and a surface's page: the experiences slots may link.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurfacesData {
    pub surfaces: Vec<Surface>,
    pub experiences: Vec<(String, String)>,
}
