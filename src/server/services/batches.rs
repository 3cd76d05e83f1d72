//! Coupon batches: many codes under one campaign with shared rules. A generated batch is made
//! in the background from a template (`BF26-????-????`, each `?` a random character from a
//! cryptographic generator), chunk by chunk, resumable by any node after a restart, and usable
//! only once every code exists; an imported batch (existing codes) is checked row by row and
//! stored whole or not at all.
//!
//! Stripe: the batch makes **one** Stripe coupon (its shared type, amount, duration and expiry)
//! that every code applies when it is redeemed here; the codes themselves, their limits and
//! their redemptions live in offerdeck, which applies the coupon server-side. Stripe promotion
//! codes (one per code) were rejected: 100,000 codes would be 100,000 Stripe calls at Stripe's
//! rate limit (minutes to hours, each a partial failure to undo), and Stripe never sees the codes
//! typed anyway, since checkout sessions and sign-up carts apply the coupon by id.
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{
    BATCH_MAX, BatchKind, BatchRules, BatchStatus, CODE_ALPHABET, CouponBatch, CouponBatchCreate, CouponCreate, CouponType, IMPORT_MAX, Page,
    TEMPLATE_MIN_RANDOM, normalize_code, validate_code,
};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::db::{self, audit, batches as bdb};
use crate::server::services::{coupons, integrations};
use serde_json::json;

mod form;
#[cfg(test)]
mod tests;
mod worker;
pub use form::{codes_from_csv, create_from_form};
pub use worker::{run, spawn_worker, work};

/// A random guess hits one of a batch's codes at most once in this many tries.
pub const GUESS_ODDS: f64 = 10_000.0;

/// Checks a template: letters, digits, `_`, `-` and `?`, at most 64 characters, enough `?` for
/// `count` codes to be unguessable. The upper-cased template.
pub fn check_template(template: &str, count: i64, e: &mut FieldErrors) -> String {
    let t = normalize_code(template);
    let random = t.chars().filter(|c| *c == '?').count();
    let sample = t.replace('?', "A");
    let mut inner = FieldErrors::new();
    validate_code(&sample, &mut inner);
    if let Some(m) = inner.into_result().err().and_then(|x| x.fields.get("code").cloned()) {
        e.add("template", m.replace("contain", "contain ?,"));
    } else if random < TEMPLATE_MIN_RANDOM {
        e.add("template", format!("needs at least {TEMPLATE_MIN_RANDOM} ? (each one random character), e.g. BF26-????-????"));
    } else if (CODE_ALPHABET.len() as f64).powi(random as i32) < GUESS_ODDS * count as f64 {
        e.add("template", format!("has too few ? for {count} codes: add more so that a random guess stays one in {GUESS_ODDS} or rarer"));
    }
    t
}

/// `n` codes from `template`, each `?` a random character of [`CODE_ALPHABET`].
pub fn generate(template: &str, n: usize) -> Vec<String> {
    use rand::Rng;
    let mut rng = rand::rngs::OsRng;
    let mut seen = std::collections::HashSet::with_capacity(n);
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let code: String = template.chars().map(|c| if c == '?' { CODE_ALPHABET[rng.gen_range(0..CODE_ALPHABET.len())] as char } else { c }).collect();
        if seen.insert(code.clone()) {
            out.push(code);
        }
    }
    out
}

/// The batch's rules as a coupon create body (the single-coupon rules check them).
fn rules_as_coupon(input: &CouponBatchCreate, code: &str, campaign: &str) -> CouponCreate {
    CouponCreate {
        code: code.to_string(),
        coupon_type: input.coupon_type.unwrap_or(CouponType::Percentage),
        amount: input.amount.unwrap_or(0),
        currency: input.currency.clone(),
        repeat_months: input.repeat_months,
        max_redemptions: input.max_redemptions,
        max_redemptions_per_customer: input.max_redemptions_per_customer,
        starts_at: input.starts_at.clone(),
        expires_at: input.expires_at.clone(),
        campaign: Some(campaign.to_string()),
    }
}

struct Checked {
    campaign: String,
    rules: CouponCreate,
    starts: Option<i64>,
    expires: Option<i64>,
    kind: BatchKind,
    template: Option<String>,
    count: i64,
    codes: Vec<String>,
}

/// Every rule that needs no database: campaign, rules, template and count or codes.
fn check(input: &CouponBatchCreate, now: i64) -> AppResult<Checked> {
    let mut e = FieldErrors::new();
    let campaign = input.campaign.trim().to_string();
    if campaign.is_empty() || campaign.chars().count() > crate::model::CAMPAIGN_MAX {
        e.add("campaign", format!("is required ({} characters at most)", crate::model::CAMPAIGN_MAX));
    }
    if input.coupon_type.is_none() {
        e.add("type", "is required: percentage, fixed or first_n_months");
    }
    if input.amount.is_none() {
        e.add("amount", "is required");
    }
    let (kind, template, count, codes) = match (&input.template, input.count, &input.codes) {
        (Some(t), Some(n), None) => {
            if !(1..=BATCH_MAX).contains(&n) {
                e.add("count", format!("must be between 1 and {BATCH_MAX}"));
            }
            (BatchKind::Generate, Some(check_template(t, n.clamp(1, BATCH_MAX), &mut e)), n, Vec::new())
        }
        (None, None, Some(list)) => {
            if list.is_empty() || list.len() > IMPORT_MAX {
                e.add("codes", format!("must hold 1 to {IMPORT_MAX} codes"));
            }
            let codes: Vec<String> = list.iter().map(|c| normalize_code(c)).collect();
            let mut first_row = std::collections::HashMap::new();
            for (i, c) in codes.iter().enumerate().take(IMPORT_MAX) {
                let mut one = FieldErrors::new();
                validate_code(c, &mut one);
                if let Some(m) = one.into_result().err().and_then(|x| x.fields.get("code").cloned()) {
                    e.add(&format!("codes[{i}]"), m);
                } else if let Some(j) = first_row.insert(c.clone(), i) {
                    first_row.insert(c.clone(), j);
                    e.add(&format!("codes[{i}]"), format!("{c} repeats row {}", j + 1));
                }
            }
            (BatchKind::Import, None, codes.len() as i64, codes)
        }
        _ => {
            e.add("template", "give either template and count (generate) or codes (import)");
            (BatchKind::Generate, None, 0, Vec::new())
        }
    };
    let sample = template.as_deref().map(|t| t.replace('?', "A")).or_else(|| codes.first().cloned()).unwrap_or_else(|| "SAMPLE".into());
    let rules = rules_as_coupon(input, &sample, &campaign);
    let mut rules_checked = rules.clone();
    let rule_errors = rules_checked.normalize_into();
    let (starts, expires) = match coupons::window(&rules_checked, now) {
        Ok(w) => w,
        Err(x) => {
            for (f, m) in x.fields {
                e.add(&f, m);
            }
            (None, None)
        }
    };
    let mut all = e.into_result().err().map(|x| x.fields).unwrap_or_default();
    for (f, m) in rule_errors.iter().filter(|(f, _)| f.as_str() != "code") {
        all.entry(f.clone()).or_insert_with(|| m.clone());
    }
    if !all.is_empty() {
        return Err(report(all));
    }
    Ok(Checked { campaign, rules: rules_checked, starts, expires, kind, template, count, codes })
}

/// One validation error listing every problem (rows of an import as `codes[i]`).
fn report(fields: std::collections::BTreeMap<String, String>) -> AppError {
    let rows = fields.keys().filter(|k| k.starts_with("codes[")).count();
    let message = if rows > 0 {
        format!("{rows} row(s) cannot be imported and nothing was imported: see fields (codes[i] is row i + 1)")
    } else {
        let first = fields.iter().next().map(|(k, v)| format!("{k} {v}")).unwrap_or_default();
        format!("the batch was not created: {first}")
    };
    let mut e = AppError::validation(message);
    e.fields = fields;
    e
}

fn stored_rules(c: &Checked) -> BatchRules {
    BatchRules {
        coupon_type: c.rules.coupon_type,
        amount: c.rules.amount,
        currency: c.rules.currency.clone(),
        repeat_months: c.rules.repeat_months,
        max_redemptions: c.rules.max_redemptions,
        max_redemptions_per_customer: c.rules.max_redemptions_per_customer,
        starts_at: c.starts.map(db::ms_to_rfc3339),
        expires_at: c.expires.map(db::ms_to_rfc3339),
    }
}

/// The batch's one Stripe coupon (idempotent on the batch id): the shared discount and expiry;
/// per-code limits stay here.
async fn mirror(state: &AppState, key: &str, c: &Checked, batch_id: &str) -> AppResult<String> {
    let mut body = coupons::stripe_coupon_body(&c.rules, batch_id, c.expires);
    body["id"] = json!(batch_id);
    body["name"] = json!(c.campaign.chars().take(40).collect::<String>());
    if let Some(m) = body.as_object_mut() {
        m.remove("max_redemptions");
    }
    body["metadata"] = json!({ "offerdeck_batch_id": batch_id, "campaign": c.campaign });
    coupons::post_stripe_coupon(state, key, &body, batch_id, "the batch was not created", "the batch's coupon").await
}

/// `POST /api/v1/coupons/batches` and the dashboard's batch form.
pub async fn create(state: &AppState, actor: &Actor, input: CouponBatchCreate) -> AppResult<CouponBatch> {
    let scope = actor.authorize(Permission::TenantWrite)?.clone();
    let now = state.clock.now_ms();
    let c = check(&input, now)?;
    if c.kind == BatchKind::Generate && bdb::in_progress(&state.db.pool, &scope).await? {
        return Err(busy());
    }
    if c.kind == BatchKind::Import {
        let mut conn = state.db.pool.acquire().await?;
        let taken = bdb::existing_codes(&mut conn, &scope, &c.codes).await?;
        if !taken.is_empty() {
            let taken: std::collections::HashSet<&String> = taken.iter().collect();
            let fields = c
                .codes
                .iter()
                .enumerate()
                .filter(|(_, code)| taken.contains(code))
                .map(|(i, code)| (format!("codes[{i}]"), format!("{code} already exists in this environment")))
                .collect();
            return Err(report(fields));
        }
    }
    let key = integrations::secret_key(state, &scope).await?;
    let id = db::new_id("cpb");
    let stripe_id = mirror(state, &key, &c, &id).await?;
    let stored_rules = stored_rules(&c);
    let rules = serde_json::to_string(&stored_rules).map_err(|e| crate::server::internal("batch rules", e))?;
    let stored = async {
        let mut tx = state.db.begin_write().await?;
        let status = if c.kind == BatchKind::Import { BatchStatus::Completed } else { BatchStatus::Queued };
        let label = actor.label();
        let new = bdb::NewBatch {
            id: &id,
            kind: c.kind,
            campaign: &c.campaign,
            template: c.template.as_deref(),
            requested: c.count,
            rules: &rules,
            status,
            stripe_coupon_id: &stripe_id,
            created_by: &label,
            completed: (c.kind == BatchKind::Import).then_some((c.count, now)),
            now,
        };
        bdb::insert(&mut *tx, &scope, &new).await?;
        if c.kind == BatchKind::Import {
            let inserted =
                bdb::insert_codes(&mut tx, state.db.backend, &scope, &code_rules(&stored_rules, &c.campaign, &id, &stripe_id, "active", now), &c.codes).await?;
            if inserted != c.codes.len() as u64 {
                // Another request stored some of these codes since the check: nothing is kept.
                tx.rollback().await?;
                return Ok(None);
            }
        }
        let what = format!("{} {} codes ({})", c.kind.as_str(), c.count, c.campaign);
        audit::record(&mut *tx, audit::Entry::of(&scope, &label, "coupon_batch.created", "coupon_batch", &id).details(what), now).await?;
        let b = bdb::get(&mut *tx, &scope, &id).await?;
        tx.commit().await?;
        Ok::<_, sqlx::Error>(b)
    }
    .await;
    match stored {
        Ok(Some(b)) => {
            if b.status == BatchStatus::Queued && state.config.batches.background {
                let s = state.clone();
                tokio::spawn(async move { work(&s).await });
            }
            Ok(b)
        }
        Ok(None) | Err(_) => {
            let _ = state.stripe.request(&key, "DELETE", &format!("/v1/coupons/{stripe_id}"), None, None).await;
            match stored {
                Ok(_) => Err(AppError::conflict("some of these codes were created by another request meanwhile; nothing was imported")),
                Err(e) if crate::server::is_unique_violation(&e) && c.kind == BatchKind::Generate => Err(busy()),
                Err(e) => Err(e.into()),
            }
        }
    }
}

fn busy() -> AppError {
    AppError::conflict(
        "another batch of this environment is still being generated: wait until it has completed (one at a time, so that one batch cannot slow everyone else)",
    )
}

/// The columns every code of batch `batch_id` shares, from its stored rules.
pub(crate) fn code_rules<'a>(rules: &'a BatchRules, campaign: &'a str, batch_id: &'a str, stripe_id: &'a str, status: &'a str, now: i64) -> bdb::CodeRules<'a> {
    bdb::CodeRules {
        batch_id,
        coupon_type: rules.coupon_type.as_str(),
        amount: rules.amount,
        currency: rules.currency.as_deref(),
        repeat_months: rules.repeat_months,
        max_redemptions: rules.max_redemptions,
        max_per_customer: rules.max_redemptions_per_customer,
        starts_at: rules.starts_at.as_deref().and_then(db::rfc3339_to_ms),
        expires_at: rules.expires_at.as_deref().and_then(db::rfc3339_to_ms),
        campaign,
        stripe_coupon_id: stripe_id,
        status,
        now,
    }
}

pub async fn get(state: &AppState, actor: &Actor, id: &str) -> AppResult<CouponBatch> {
    let scope = actor.authorize(Permission::TenantRead)?;
    bdb::get(&state.db.pool, scope, id).await?.ok_or_else(|| AppError::not_found("coupon batch"))
}

pub async fn list(state: &AppState, actor: &Actor, starting_after: Option<&str>, limit: Option<i64>) -> AppResult<Page<CouponBatch>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let limit = super::records::page_limit(limit)?;
    let (data, has_more) = bdb::list(&state.db.pool, scope, None, super::records::cursor(starting_after), limit).await?;
    Ok(Page { data, has_more })
}

/// The campaign page's batches (newest 20).
pub async fn of_campaign(state: &AppState, actor: &Actor, campaign: &str) -> AppResult<Vec<CouponBatch>> {
    let scope = actor.authorize(Permission::TenantRead)?;
    Ok(bdb::list(&state.db.pool, scope, Some(campaign), None, 20).await?.0)
}

/// The batch's codes as CSV: code, status, redemptions, reserved uses, expiry, campaign.
pub async fn export_csv(state: &AppState, actor: &Actor, id: &str) -> AppResult<String> {
    let b = get(state, actor, id).await?;
    let scope = actor.authorize(Permission::TenantRead)?;
    let now = state.clock.now_ms();
    let mut w = csv::Writer::from_writer(Vec::new());
    let csv_err = |e: csv::Error| crate::server::internal("batch csv", e);
    w.write_record(["code", "status", "redemptions", "reserved", "expires_at", "campaign", "batch_id"]).map_err(csv_err)?;
    let mut after = String::new();
    loop {
        let rows = bdb::codes_page(&state.db.pool, scope, &b.id, &after, 5000).await?;
        let Some(last) = rows.last() else { break };
        after = last.code.clone();
        for r in &rows {
            let status = if r.status == "pending" {
                "pending".to_string()
            } else {
                db::coupons::status_of(&r.status, r.times_redeemed, r.max_redemptions, r.expires_at, now).as_str().to_string()
            };
            let expires = r.expires_at.map(db::ms_to_rfc3339).unwrap_or_default();
            let row = [
                coupons::safe_cell(&r.code),
                status,
                r.times_redeemed.to_string(),
                r.reserved.to_string(),
                expires,
                coupons::safe_cell(&b.campaign),
                b.id.clone(),
            ];
            w.write_record(&row).map_err(csv_err)?;
        }
    }
    String::from_utf8(w.into_inner().map_err(|e| crate::server::internal("batch csv", e.into_error()))?).map_err(|e| crate::server::internal("batch csv", e))
}
