//! The dashboard's batch form: typed text (amounts in major units, times in the tenant's zone)
//! and the CSV of an import, turned into the API's create body.
use super::create;
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{BATCH_MAX, CouponBatch, CouponBatchCreate, IMPORT_MAX};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};

/// The codes of an import as typed or uploaded: the first column of each CSV row (a `code`
/// header is skipped, blank rows too), at most one row more than the import limit (so the
/// limit's error can be reported).
pub fn codes_from_csv(text: &str) -> AppResult<Vec<String>> {
    let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes());
    let mut out = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| AppError::field("codes", format!("row {} is not valid CSV: {e}", i + 1)))?;
        let Some(first) = rec.get(0).filter(|c| !c.is_empty()) else { continue };
        if out.is_empty() && first.eq_ignore_ascii_case("code") {
            continue;
        }
        out.push(first.to_string());
        if out.len() > IMPORT_MAX {
            break;
        }
    }
    Ok(out)
}

/// The dashboard's batch form: the coupon form's rules (amounts in major units, times in the
/// tenant's zone) plus template and count, or the pasted or uploaded CSV of codes.
pub async fn create_from_form(state: &AppState, actor: &Actor, f: crate::server_fns::campaigns::BatchForm) -> AppResult<CouponBatch> {
    actor.require(Permission::TenantWrite)?;
    let tz = crate::server::services::settings::time_zone(state, actor).await?;
    let mut errors = FieldErrors::new();
    let starts_at = crate::server::tz::local_field(&mut errors, "startsAt", &f.starts, &tz);
    let expires_at = crate::server::tz::local_field(&mut errors, "expiresAt", &f.expires, &tz);
    let form = crate::model::CouponForm {
        code: "SAMPLE".into(),
        coupon_type: f.coupon_type,
        amount: f.amount,
        currency: f.currency,
        repeat_months: f.repeat_months,
        max_redemptions: f.max_redemptions,
        max_per_customer: f.max_per_customer,
        campaign: f.campaign.clone(),
    };
    let rules = form.parse().map_err(|e| errors.merge(e)).ok();
    let (mut template, mut count, mut codes) = (None, None, None);
    if f.mode == "import" {
        match codes_from_csv(&f.codes) {
            Ok(c) => codes = Some(c),
            Err(e) => errors.add("codes", e.fields.get("codes").cloned().unwrap_or(e.message)),
        }
    } else {
        template = Some(f.template.clone());
        match f.count.trim().parse::<i64>() {
            Ok(n) => count = Some(n),
            Err(_) => errors.add("count", format!("must be a whole number from 1 to {BATCH_MAX}")),
        }
    }
    errors.into_result()?;
    let r = rules.ok_or_else(AppError::internal)?;
    let input = CouponBatchCreate {
        campaign: f.campaign,
        template,
        count,
        codes,
        coupon_type: Some(r.coupon_type),
        amount: Some(r.amount),
        currency: r.currency,
        repeat_months: r.repeat_months,
        max_redemptions: r.max_redemptions,
        max_redemptions_per_customer: r.max_redemptions_per_customer,
        starts_at,
        expires_at,
    };
    create(state, actor, input).await
}
