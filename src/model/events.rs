//! Events (surface decisions and offer redemptions), offer statistics and the events page.
use super::IdentityKind;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

/// What an event records: a surface decision or an offer redemption (webhook event types are
/// another list).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
pub enum EventType {
    #[serde(rename = "surface.decision")]
    SurfaceDecision,
    #[serde(rename = "offer.redemption")]
    OfferRedemption,
}

wire_names!(EventType { SurfaceDecision => "surface.decision", OfferRedemption => "offer.redemption" });

/// A decision `presented` offers or was `empty`; a redemption `succeeded`, was `declined` by its
/// workflow, or `failed` (the workflow threw or broke a limit).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum EventStatus {
    Presented,
    Empty,
    Succeeded,
    Declined,
    Failed,
}

wire_names!(EventStatus { Presented => "presented", Empty => "empty", Succeeded => "succeeded", Declined => "declined", Failed => "failed" });

/// Something that happened: a surface decision or an offer redemption.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Event {
    /// `evt_…`
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: EventType,
    pub status: EventStatus,
    pub offer_id: Option<String>,
    pub method_id: Option<String>,
    pub workflow_version: Option<i64>,
    pub identity_kind: Option<IdentityKind>,
    pub identity: Option<String>,
    pub duration_ms: Option<i64>,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub request: serde_json::Value,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub response: serde_json::Value,
    pub logs: Vec<String>,
    pub created_at: String,
}

/// An offer's funnel over a period: how often surfaces presented it and how often a
/// presentation was redeemed successfully.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct OfferStats {
    pub offer_id: String,
    /// RFC 3339, inclusive.
    pub from: String,
    /// RFC 3339, exclusive.
    pub to: String,
    pub impressions: i64,
    pub redemptions: i64,
    /// Distinct identities with a successful redemption.
    pub redeemers: i64,
    /// `redemptions / impressions` (0 when there were no impressions).
    pub conversion: f64,
}

/// One page of the events list with the filter choices.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventsData {
    pub events: Vec<Event>,
    pub has_more: bool,
    pub offers: Vec<(String, String)>,
    pub time_zone: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_match_serde() {
        for t in [EventType::SurfaceDecision, EventType::OfferRedemption] {
            assert_eq!(serde_json::to_value(t).unwrap(), t.as_str());
            assert_eq!(EventType::parse(t.as_str()), Some(t));
        }
        for s in [EventStatus::Presented, EventStatus::Empty, EventStatus::Succeeded, EventStatus::Declined, EventStatus::Failed] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
            assert_eq!(EventStatus::parse(s.as_str()), Some(s));
        }
        for k in [IdentityKind::Anonymous, IdentityKind::Authenticated] {
            assert_eq!(serde_json::to_value(k).unwrap(), k.as_str());
        }
    }
}
