//! Discount rules (API.md §11): create, replace, read and delete them, and [`evaluate`], which
//! the checkout sessions' `recompute-discounts` and the rule page's "try it" share. A workflow
//! rule runs in the redemption workflows' sandbox with a host that does no I/O.
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{
    DiscountRule, DiscountRuleInput, DiscountRuleType, DiscountTrial, DiscountTrialResult, Page, RuleDiscount, percent_of, tier_discount, validate_rule,
};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::db::{self, Scoped, audit, discounts as ddb, new_id, record};
use crate::server::services::{methods, records};
use crate::server::workflow::{Compiled, Host};
use serde_json::{Value, json};
use std::pin::Pin;
use std::sync::Arc;

/// The most rules an environment holds (each recompute looks at all of them).
pub const MAX_RULES: i64 = 100;

fn time(e: &mut FieldErrors, field: &str, v: Option<&str>) -> Option<i64> {
    let t = v.map(str::trim).filter(|t| !t.is_empty())?;
    let ms = db::rfc3339_to_ms(t);
    if ms.is_none() {
        e.add(field, "must be an RFC 3339 time such as 2026-12-31T23:59:00Z");
    }
    ms
}

/// Checks `input` (compiling a workflow rule's code) and runs `write` with the stored row.
async fn checked<T>(input: DiscountRuleInput, write: impl AsyncFnOnce(ddb::RuleRow<'_>) -> AppResult<T>) -> AppResult<T> {
    let mut e = FieldErrors::new();
    validate_rule(&input, &mut e);
    let from = time(&mut e, "validFrom", input.valid_from.as_deref());
    let until = time(&mut e, "validUntil", input.valid_until.as_deref());
    if let (Some(f), Some(u)) = (from, until)
        && f >= u
    {
        e.add("validFrom", "must be before validUntil");
    }
    e.into_result()?;
    let compiled = match (input.rule_type, input.code.as_deref()) {
        (DiscountRuleType::Workflow, Some(code)) => Some(methods::compile(code).await?),
        _ => None,
    };
    let workflow = input.rule_type == DiscountRuleType::Workflow;
    let currency = input.currency.as_deref().map(|c| c.trim().to_lowercase());
    let tiers = serde_json::to_string(&input.tiers.clone().filter(|_| input.rule_type == DiscountRuleType::CartValue).unwrap_or_default()).unwrap_or_default();
    let loyalty = input.rule_type == DiscountRuleType::Loyalty;
    let row = ddb::RuleRow {
        name: input.name.trim(),
        rule_type: input.rule_type,
        currency: currency.as_deref(),
        tiers: &tiers,
        min_completed_checkouts: input.min_completed_checkouts.filter(|_| loyalty),
        percent_off: input.percent_off.filter(|_| loyalty),
        amount_off: input.amount_off.filter(|_| loyalty),
        code: input.code.as_deref().filter(|_| workflow),
        compiled_js: compiled.as_ref().map(|c| c.js.as_str()),
        source_map: compiled.as_ref().map(|c| c.source_map.as_str()),
        priority: input.priority.unwrap_or(0),
        valid_from: from,
        valid_until: until,
        active: input.active.unwrap_or(true),
    };
    write(row).await
}

pub async fn create(state: &AppState, actor: &Actor, input: DiscountRuleInput) -> AppResult<DiscountRule> {
    let scope = super::versions::config_scope(state, actor).await?;
    checked(input, async |row| {
        let id = new_id("drl");
        let now = state.clock.now_ms();
        let mut tx = state.db.begin_write().await?;
        if ddb::count(&mut *tx, scope).await? >= MAX_RULES {
            return Err(AppError::conflict(format!("this environment already has {MAX_RULES} discount rules, the most allowed")));
        }
        let rule = ddb::insert(&mut *tx, scope, &id, &row, now).await?;
        audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "discount_rule.created", "discount_rule", &id).details(rule.name.clone()), now).await?;
        tx.commit().await?;
        Ok(rule)
    })
    .await
}

/// Replaces the rule `id` with `input`.
pub async fn update(state: &AppState, actor: &Actor, id: &str, input: DiscountRuleInput) -> AppResult<DiscountRule> {
    let scope = super::versions::config_scope(state, actor).await?;
    get(state, actor, id).await?;
    checked(input, async |row| {
        let now = state.clock.now_ms();
        let mut tx = state.db.begin_write().await?;
        let rule = ddb::update(&mut *tx, scope, id, &row, now).await?.ok_or_else(|| AppError::not_found("discount rule"))?;
        audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "discount_rule.updated", "discount_rule", id).details(rule.name.clone()), now).await?;
        tx.commit().await?;
        Ok(rule)
    })
    .await
}

pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> AppResult<()> {
    let scope = super::versions::config_scope(state, actor).await?;
    let mut tx = state.db.begin_write().await?;
    if !record::delete::<DiscountRule, _>(&mut *tx, scope, id).await? {
        return Err(AppError::not_found("discount rule"));
    }
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "discount_rule.deleted", "discount_rule", id), state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(())
}

pub async fn get(state: &AppState, actor: &Actor, id: &str) -> AppResult<DiscountRule> {
    records::get(state, actor, id, "discount rule").await
}

pub async fn page(state: &AppState, actor: &Actor, starting_after: Option<&str>, limit: Option<i64>) -> AppResult<Page<DiscountRule>> {
    records::page(state, actor, starting_after, limit).await
}

pub async fn all(state: &AppState, actor: &Actor) -> AppResult<Vec<DiscountRule>> {
    records::all(state, actor).await
}

/// The sandbox's host for discount rules: no Stripe, no offerdeck services.
struct NoIo;

impl Host for NoIo {
    fn stripe_request(&self, _: Value) -> Pin<Box<dyn Future<Output = Value> + Send>> {
        Box::pin(async { json!({"ok": false, "status": 0, "data": {"error": {"message": "discount rules cannot call Stripe"}}}) })
    }
}

/// What a rule is evaluated on: the session (or the trial's subtotal) and its customer.
pub struct Cart<'a> {
    pub subtotal: i64,
    pub currency: &'a str,
    pub customer_id: Option<&'a str>,
    pub email: Option<&'a str>,
    /// The session as the workflow sees it (`{}` for a trial).
    pub session: Value,
}

/// Runs a workflow rule: `Ok(Some(off))`, `Ok(None)` for no discount, `Err` for a failure.
async fn run_workflow(state: &AppState, scope: &Scoped, rule: &DiscountRule, cart: &Cart<'_>, completed: i64) -> Result<Option<i64>, String> {
    let Some((js, source_map)) = ddb::compiled(&state.db.pool, scope, &rule.id).await.map_err(|e| e.to_string())? else { return Ok(None) };
    let mut session = cart.session.clone();
    session["subtotal"] = json!(cart.subtotal);
    session["currency"] = json!(cart.currency);
    let input = json!({"session": session, "customer": {"id": cart.customer_id, "email": cart.email, "completedCheckouts": completed}});
    let out =
        state.engine.evaluate(scope.tenant_id(), &Compiled { js, source_map }, input, Arc::new(NoIo)).await.map_err(|_| "the sandbox is busy".to_string())?;
    let v = out.map_err(|f| f.message)?;
    let int = |k: &str| v.get(k).and_then(Value::as_i64);
    Ok(match (int("amountOff"), int("percentOff")) {
        _ if v.is_null() => None,
        (Some(a), None) if a >= 0 => Some(a.min(cart.subtotal)),
        (None, Some(p)) if (0..=100).contains(&p) => Some(percent_of(cart.subtotal, p, None)),
        _ => return Err("a workflow rule must return {amountOff} (minor units ≥ 0), {percentOff} (0–100) or null".into()),
    }
    .filter(|off| *off > 0))
}

/// The best discount the active rules of the scope give `cart` now: the matching rule with the
/// highest priority (ties: the larger discount, then the older rule), and the rules that failed.
pub async fn evaluate(state: &AppState, scope: &Scoped, cart: &Cart<'_>) -> AppResult<(Option<RuleDiscount>, Vec<String>)> {
    let now = state.clock.now_ms();
    let rules: Vec<DiscountRule> = record::all(&state.db.pool, scope, "AND active = 1").await?;
    let completed = match cart.customer_id {
        Some(c) => db::checkout::completed_count(&state.db.pool, scope, c).await?,
        None => 0,
    };
    let mut best: Option<(i64, i64, RuleDiscount)> = None;
    let mut problems = Vec::new();
    let open = |r: &DiscountRule| {
        let at = |t: &Option<String>| t.as_deref().and_then(db::rfc3339_to_ms);
        at(&r.valid_from).is_none_or(|f| f <= now) && at(&r.valid_until).is_none_or(|u| now < u)
    };
    for rule in rules.iter().rev().filter(|r| open(r) && r.currency.as_deref().is_none_or(|c| c == cart.currency)) {
        let off = match rule.rule_type {
            DiscountRuleType::CartValue => tier_discount(&rule.tiers, cart.subtotal),
            DiscountRuleType::Loyalty if rule.min_completed_checkouts.is_some_and(|n| completed >= n) => match (rule.percent_off, rule.amount_off) {
                (Some(p), _) => Some(percent_of(cart.subtotal, p, None)),
                (None, Some(a)) => Some(a.min(cart.subtotal)),
                _ => None,
            }
            .filter(|o| *o > 0),
            DiscountRuleType::Loyalty => None,
            DiscountRuleType::Workflow => match run_workflow(state, scope, rule, cart, completed).await {
                Ok(off) => off,
                Err(why) => {
                    problems.push(format!("{}: {why}", rule.name));
                    None
                }
            },
        };
        let Some(off) = off else { continue };
        let better = best.as_ref().is_none_or(|(p, o, _)| (rule.priority, off) > (*p, *o));
        if better {
            best = Some((rule.priority, off, RuleDiscount { rule_id: rule.id.clone(), name: rule.name.clone(), amount_off: off }));
        }
    }
    Ok((best.map(|(_, _, d)| d), problems))
}

/// `POST /api/v1/discount-rules/evaluate` and the rule page's "try it": what the rules give a
/// subtotal and a customer.
pub async fn trial(state: &AppState, actor: &Actor, t: DiscountTrial) -> AppResult<DiscountTrialResult> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let currency = t.currency.trim().to_lowercase();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_lowercase()) {
        return Err(AppError::field("currency", "must be a three-letter ISO 4217 code"));
    }
    if !(0..=100_000_000_000).contains(&t.subtotal) {
        return Err(AppError::field("subtotal", "must be between 0 and 100000000000 minor units"));
    }
    let customer = t.customer_id.as_deref().map(str::trim).filter(|c| !c.is_empty());
    let cart = Cart { subtotal: t.subtotal, currency: &currency, customer_id: customer, email: None, session: json!({}) };
    let (discount, problems) = evaluate(state, scope, &cart).await?;
    Ok(DiscountTrialResult { discount, problems })
}

/// A major-units field of the dashboard's forms in minor units (blank: `None`).
fn major(e: &mut FieldErrors, field: &str, text: &str, currency: &str) -> Option<i64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match crate::model::parse_major_amount(t, if currency.is_empty() { "gbp" } else { currency }) {
        Ok(v) => Some(v),
        Err(m) => {
            e.add(field, m);
            None
        }
    }
}

fn whole(e: &mut FieldErrors, field: &str, text: &str) -> Option<i64> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse::<i64>() {
        Ok(v) => Some(v),
        Err(_) => {
            e.add(field, "must be a whole number");
            None
        }
    }
}

/// Creates a rule from the dashboard's form: one tier for `cart_value` (minimum subtotal,
/// percent or amount off, an optional cap), amounts in major units of the currency.
pub async fn create_from_form(state: &AppState, actor: &Actor, f: crate::server_fns::discounts::DiscountRuleForm) -> AppResult<DiscountRule> {
    actor.require(Permission::TenantWrite)?;
    let mut e = FieldErrors::new();
    let rule_type = DiscountRuleType::parse(f.rule_type.trim());
    if rule_type.is_none() {
        e.add("rule_type", "must be cart_value, loyalty or workflow");
    }
    let currency = f.currency.trim().to_lowercase();
    let percent = whole(&mut e, "percent_off", &f.percent_off);
    let amount = major(&mut e, "amount_off", &f.amount_off, &currency);
    let min_subtotal = major(&mut e, "min_subtotal", &f.min_subtotal, &currency);
    let cap = major(&mut e, "max_amount_off", &f.max_amount_off, &currency);
    let min_checkouts = whole(&mut e, "min_completed_checkouts", &f.min_completed_checkouts);
    let priority = whole(&mut e, "priority", &f.priority);
    e.into_result()?;
    let rule_type = rule_type.ok_or_else(AppError::internal)?;
    let cart = rule_type == DiscountRuleType::CartValue;
    let tiers = cart
        .then(|| vec![crate::model::DiscountTier { min_subtotal: min_subtotal.unwrap_or(0), percent_off: percent, amount_off: amount, max_amount_off: cap }]);
    let input = DiscountRuleInput {
        name: f.name,
        rule_type,
        currency: Some(currency).filter(|c| !c.is_empty()),
        tiers,
        min_completed_checkouts: min_checkouts,
        percent_off: percent.filter(|_| !cart),
        amount_off: amount.filter(|_| !cart),
        code: Some(f.code).filter(|c| !c.trim().is_empty()),
        priority,
        valid_from: None,
        valid_until: None,
        active: Some(true),
    };
    // The form names its fields snake_case; the rules name them as the API does.
    create(state, actor, input).await.map_err(|mut err| {
        let renamed = [("percentOff", "percent_off"), ("minCompletedCheckouts", "min_completed_checkouts"), ("tiers", "percent_off")];
        for (api, form) in renamed {
            if let Some(v) = err.fields.remove(api) {
                err.fields.insert(form.into(), v);
            }
        }
        err
    })
}

/// [`trial`] from the rule page's form: the subtotal in major units.
pub async fn trial_from_form(state: &AppState, actor: &Actor, subtotal: &str, currency: &str, customer: &str) -> AppResult<DiscountTrialResult> {
    let currency = currency.trim().to_lowercase();
    let mut e = FieldErrors::new();
    let subtotal = major(&mut e, "subtotal", subtotal, &currency);
    if subtotal.is_none() && e.get("subtotal").is_none() {
        e.add("subtotal", "is required");
    }
    e.into_result()?;
    let t = DiscountTrial { subtotal: subtotal.unwrap_or(0), currency, customer_id: Some(customer.trim().to_string()).filter(|c| !c.is_empty()) };
    trial(state, actor, t).await
}
