//! Versions (API.md §14): the preview configuration frozen under a number, the difference
//! between a version and what live runs, and the deploys that put a version live.
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

/// How many objects a change touches.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ChangeSummary {
    pub added: i64,
    pub changed: i64,
    pub removed: i64,
}

impl ChangeSummary {
    pub fn is_empty(&self) -> bool {
        self.added == 0 && self.changed == 0 && self.removed == 0
    }

    /// `2 added, 1 changed, 0 removed`, or `no changes`.
    pub fn describe(&self) -> String {
        if self.is_empty() { "no changes".into() } else { format!("{} added, {} changed, {} removed", self.added, self.changed, self.removed) }
    }
}

/// A frozen configuration (`ver_…`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Version {
    pub id: String,
    /// 1, 2, 3… per tenant
    pub number: i64,
    pub name: String,
    pub note: String,
    /// Against the version that was live when this one was frozen (everything is added when
    /// none was).
    pub summary: ChangeSummary,
    /// How many objects of each kind the version carries, e.g. `{"offer": 3}`.
    pub objects: std::collections::BTreeMap<String, i64>,
    /// Whether live runs this version now.
    pub live: bool,
    /// Who froze it (an email, or an API key's id).
    pub created_by: String,
    /// RFC 3339, UTC
    pub created_at: String,
}

/// Body of `POST /api/v1/versions`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct VersionCreate {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 200, pattern = "\\S"))]
    pub name: String,
    #[cfg_attr(feature = "ssr", schema(max_length = 2000))]
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    Added,
    Changed,
    Removed,
}

wire_names!(ChangeKind { Added => "added", Changed => "changed", Removed => "removed" });

/// One object that a deploy would add, change or remove in live.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct ObjectChange {
    /// `product`, `price`, `redemptionMethod`, `offer`, `rate`, `presentationSchema`,
    /// `experience`, `surface` or `discountRule`
    pub kind: String,
    /// The preview object's id (a live id for an object live has that no version carries)
    pub id: String,
    /// The live object's id, once it has one (kept across deploys)
    pub live_id: Option<String>,
    pub name: String,
    pub change: ChangeKind,
    /// The changed fields (camelCase), for `changed`
    pub fields: Vec<String>,
}

/// `GET /api/v1/versions/{id}/diff`: what deploying the version would do to live.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct VersionDiff {
    pub version_id: String,
    /// The version live runs now (`null`: live was never deployed from a version)
    pub live_version_id: Option<String>,
    pub summary: ChangeSummary,
    pub changes: Vec<ObjectChange>,
}

/// A deploy of a version to live (a rollback is a deploy of an older version).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    pub id: String,
    pub version_id: String,
    pub version_number: i64,
    pub version_name: String,
    /// The version live ran before (`null` for the first deploy)
    pub from_version_id: Option<String>,
    pub from_version_number: Option<i64>,
    pub summary: ChangeSummary,
    /// Who deployed (an email, or an API key's id)
    pub deployed_by: String,
    /// RFC 3339, UTC
    pub deployed_at: String,
}

/// The version live runs, as the dashboard's shell shows it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiveVersion {
    pub id: String,
    pub number: i64,
    pub name: String,
}

/// The Versions page: what live runs, the preview changes not yet frozen, versions and deploys.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionsData {
    pub live: Option<LiveVersion>,
    /// The current preview configuration against live.
    pub pending: Vec<ObjectChange>,
    pub versions: Vec<Version>,
    pub more_versions: bool,
    pub deployments: Vec<Deployment>,
}

/// A version's page: the version and what deploying it would change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VersionDetail {
    pub version: Version,
    pub diff: VersionDiff,
    pub live: Option<LiveVersion>,
}

/// The dashboard paths whose objects a version carries: read-only in live once a version has
/// been deployed there.
pub fn is_versioned_path(path: &str) -> bool {
    ["/catalogue", "/offers", "/experiences", "/surfaces", "/discounts/rules"].iter().any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn versioned_paths() {
        assert!(is_versioned_path("/offers"));
        assert!(is_versioned_path("/offers/off_1"));
        assert!(is_versioned_path("/discounts/rules/drl_1"));
        assert!(!is_versioned_path("/coupons"));
        assert!(!is_versioned_path("/offersx"));
        assert!(!is_versioned_path("/versions"));
    }
    #[test]
    fn summaries() {
        assert_eq!(ChangeSummary::default().describe(), "no changes");
        assert_eq!(ChangeSummary { added: 2, changed: 1, removed: 0 }.describe(), "2 added, 1 changed, 0 removed");
    }
}
