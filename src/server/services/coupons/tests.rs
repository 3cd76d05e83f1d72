//! Unit tests of the coupon rules: Stripe bodies per type, days in the tenant's zone.
use super::*;
use crate::model::DayCount;

#[test]
fn stripe_bodies_per_type() {
    let mut c = CouponCreate {
        code: "WINBACK30".into(),
        coupon_type: CouponType::Percentage,
        amount: 30,
        currency: None,
        repeat_months: Some(3),
        max_redemptions: Some(10),
        max_redemptions_per_customer: None,
        starts_at: None,
        expires_at: None,
        campaign: Some("winback".into()),
    };
    let b = stripe_coupon_body(&c, "cpn_1", Some(1_800_000_000_000));
    assert_eq!(b["percent_off"], 30);
    assert_eq!((b["duration"].as_str(), b["duration_in_months"].as_i64()), (Some("repeating"), Some(3)));
    assert_eq!((b["max_redemptions"].as_i64(), b["redeem_by"].as_i64()), (Some(10), Some(1_800_000_000)));
    c.coupon_type = CouponType::FirstNMonths;
    c.repeat_months = None;
    let b = stripe_coupon_body(&c, "cpn_1", None);
    assert_eq!((b["percent_off"].as_i64(), b["duration_in_months"].as_i64()), (Some(100), Some(30)));
    assert!(b.get("redeem_by").is_none());
}

#[test]
fn per_day_uses_the_tenant_zone() {
    // 23:30 UTC on the 24th is the 25th in Tokyo.
    let t = db::rfc3339_to_ms("2026-11-24T23:30:00Z").unwrap();
    let u = db::rfc3339_to_ms("2026-11-25T01:00:00Z").unwrap();
    assert_eq!(per_day(&[t, u], "UTC").len(), 2);
    assert_eq!(per_day(&[t, u], "Asia/Tokyo"), vec![DayCount { day: "2026-11-25".into(), count: 2 }]);
}
