//! Campaign analytics and coupon batches: the series, funnels and comparisons the campaign page
//! and `/api/v1/analytics` answer, and the wire types of `/api/v1/coupons/batches`.
use super::CouponType;
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use utoipa::ToSchema;

/// How a series is bucketed: local days, or local weeks starting on Monday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Bucket {
    #[default]
    Day,
    Week,
}

wire_names!(Bucket { Day => "day", Week => "week" });

/// One bucket of a series: the local date it starts on and what was counted in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SeriesPoint {
    /// `2026-11-30`: the first local day of the bucket in the tenant's time zone.
    pub start: String,
    /// Offers shown by surface decisions.
    pub presented: i64,
    /// Successful offer redemptions.
    pub redeemed: i64,
    /// Completed checkout sessions.
    pub checkouts: i64,
    /// Finalized sign-up carts.
    pub signups: i64,
    /// Coupon redemptions.
    pub coupons: i64,
}

/// Totals over the period, in funnel order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Funnel {
    pub presented: i64,
    pub redeemed: i64,
    /// Completed checkout sessions plus finalized sign-up carts that used one of the campaign's codes.
    pub completed: i64,
    pub checkouts: i64,
    pub signups: i64,
    pub coupons: i64,
}

/// Amounts of the completed checkouts and sign-ups, per currency (minor units).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Revenue {
    pub currency: String,
    /// What customers paid (after discounts).
    pub revenue: i64,
    /// The discount the campaign's codes gave.
    pub discount: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CodeCount {
    pub code: String,
    pub redemptions: i64,
}

/// A period of a report: local dates (inclusive) in the tenant's time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Period {
    /// `2026-11-01`
    pub from: String,
    /// `2026-11-30` (inclusive)
    pub to: String,
    pub time_zone: String,
    pub bucket: Bucket,
}

/// `GET /api/v1/analytics/campaigns/{campaign}`: a campaign over a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CampaignReport {
    pub campaign: String,
    pub period: Period,
    pub series: Vec<SeriesPoint>,
    pub funnel: Funnel,
    pub revenue: Vec<Revenue>,
    /// The campaign's most redeemed codes (all time), at most 10.
    pub top_codes: Vec<CodeCount>,
    /// Coupons and offers tagged with the campaign now.
    pub coupons: i64,
    pub offers: i64,
}

/// A series of one subject (an offer, or every coupon of the environment).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct SeriesReport {
    pub period: Period,
    pub series: Vec<SeriesPoint>,
    pub funnel: Funnel,
}

/// A campaign tag in use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct CampaignSummary {
    pub campaign: String,
    pub coupons: i64,
    pub offers: i64,
}

/// The campaign page: the report, the one it is compared with, and the campaign's batches.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CampaignPageData {
    pub report: CampaignReport,
    /// Another campaign or another period, when asked for.
    pub compare: Option<CampaignReport>,
    pub campaigns: Vec<String>,
    pub batches: Vec<CouponBatch>,
}

/// Where a batch's codes came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum BatchKind {
    Generate,
    Import,
}

wire_names!(BatchKind { Generate => "generate", Import => "import" });

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum BatchStatus {
    /// Waiting for a worker.
    Queued,
    /// Codes are being generated (`generated` of `requested` so far; none is usable yet).
    Running,
    /// Every code exists and is usable.
    Completed,
    /// Nothing was kept; `error` says why.
    Failed,
}

wire_names!(BatchStatus { Queued => "queued", Running => "running", Completed => "completed", Failed => "failed" });

/// The rules every code of a batch shares (as a coupon's).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct BatchRules {
    #[serde(rename = "type")]
    pub coupon_type: CouponType,
    pub amount: i64,
    pub currency: Option<String>,
    pub repeat_months: Option<i64>,
    pub max_redemptions: Option<i64>,
    pub max_redemptions_per_customer: Option<i64>,
    pub starts_at: Option<String>,
    pub expires_at: Option<String>,
}

resource! {
    /// A batch of codes under one campaign.
    pub struct CouponBatch {
        /// `cpb_…`
        pub id: String,
        pub kind: BatchKind,
        pub campaign: String,
        /// `BF26-????-????`: each `?` is a random character (generate only).
        pub template: Option<String>,
        pub requested: i64,
        pub generated: i64,
        pub status: BatchStatus,
        pub error: Option<String>,
        pub rules: BatchRules,
        /// The one Stripe coupon every code of the batch applies.
        pub stripe_coupon_id: Option<String>,
        pub created_by: String,
        pub completed_at: Option<String>,
    }
}

/// Body of `POST /api/v1/coupons/batches`: either `template` + `count` (generated in the
/// background) or `codes` (imported at once), plus the shared rules.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(ToSchema))]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CouponBatchCreate {
    #[cfg_attr(feature = "ssr", schema(min_length = 1, max_length = 64))]
    pub campaign: String,
    /// Letters, digits, `_` and `-`, with at least 6 `?` (each a random character of 30).
    pub template: Option<String>,
    #[cfg_attr(feature = "ssr", schema(minimum = 1, maximum = 100000))]
    pub count: Option<i64>,
    /// Existing codes to import (at most 10,000); every row is checked and nothing is imported
    /// unless all are valid.
    #[cfg_attr(feature = "ssr", schema(max_items = 10000))]
    pub codes: Option<Vec<String>>,
    #[serde(rename = "type")]
    pub coupon_type: Option<CouponType>,
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub repeat_months: Option<i64>,
    pub max_redemptions: Option<i64>,
    pub max_redemptions_per_customer: Option<i64>,
    /// RFC 3339
    pub starts_at: Option<String>,
    /// RFC 3339
    pub expires_at: Option<String>,
}

pub const BATCH_MAX: i64 = 100_000;
pub const IMPORT_MAX: usize = 10_000;
/// Random characters of generated codes: no 0/O, 1/I/L or 5/S look-alikes.
pub const CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRTUVWXYZ23456789";
/// A template needs this many `?` at least (30^6 ≈ 7.3 × 10^8 possible codes).
pub const TEMPLATE_MIN_RANDOM: usize = 6;
