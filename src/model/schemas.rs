//! Presentation schemas: the fields an `app` experience's content has, and its offer slots.
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum FieldType {
    String,
    Number,
    Boolean,
    Text,
}
wire_names!(FieldType { String => "string", Number => "number", Boolean => "boolean", Text => "text" });

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SchemaField {
    #[cfg_attr(feature = "ssr", schema(pattern = "^[A-Za-z0-9_-]{1,64}$"))]
    pub key: String,
    #[serde(rename = "type")]
    pub field_type: FieldType,
    #[cfg_attr(feature = "ssr", schema(min_length = 1, pattern = "\\S"))]
    pub label: String,
    #[serde(default)]
    pub required: bool,
}

resource! {
    pub struct PresentationSchema {
        /// `psch_…`
        pub id: String,
        pub name: String,
        pub fields: Vec<SchemaField>,
        pub offer_slots: Vec<String>,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PresentationSchemaInput {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, pattern = "\\S"))]
    pub name: String,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_items = 100))]
    pub fields: Vec<SchemaField>,
    #[serde(default)]
    #[cfg_attr(feature = "ssr", schema(max_items = 20))]
    pub offer_slots: Vec<String>,
}
