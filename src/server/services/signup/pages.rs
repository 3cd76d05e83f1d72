//! The dashboard's Sign-ups pages: the list of carts with the funnel of a period (created →
//! payment method added → finalized) and one cart's page. Merchants and marketers read them.
use crate::error::{AppError, AppResult};
use crate::model::{CartState, SignUpCartDetail, SignUpFunnel, SignUpPerformed, SignUpsData};
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::db::signup as sdb;
use crate::server::services::{records, settings};

/// The funnel's periods, in days.
pub const FUNNEL_DAYS: [i64; 4] = [1, 7, 30, 90];

#[derive(Debug, Default, Clone)]
pub struct ListParams {
    pub state: Option<String>,
    pub search: Option<String>,
    pub starting_after: Option<String>,
    pub limit: Option<i64>,
    pub days: Option<i64>,
}

pub async fn list(state: &AppState, actor: &Actor, p: ListParams) -> AppResult<SignUpsData> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let limit = records::page_limit(p.limit)?;
    let cart_state = match p.state.as_deref().map(str::trim).filter(|s| !s.is_empty() && !s.eq_ignore_ascii_case("all")) {
        None => None,
        Some(s) => Some(CartState::parse(&s.to_uppercase()).ok_or_else(|| AppError::field("state", "must be PENDING, FINALIZED, CANCELED, EXPIRED or all"))?),
    };
    let days = p.days.filter(|d| FUNNEL_DAYS.contains(d)).unwrap_or(30);
    let f = sdb::ListFilter {
        state: cart_state,
        search: p.search.as_deref().map(str::trim).filter(|s| !s.is_empty()),
        starting_after: records::cursor(p.starting_after.as_deref()),
        limit,
    };
    let (carts, has_more) = sdb::list(&state.db.pool, scope, f).await?;
    let from = state.clock.now_ms() - days * 24 * 3600 * 1000;
    let funnel = SignUpFunnel { days, ..sdb::funnel(&state.db.pool, scope, from).await? };
    Ok(SignUpsData { carts, has_more, funnel, time_zone: settings::time_zone(state, actor).await? })
}

pub async fn detail(state: &AppState, actor: &Actor, id: &str) -> AppResult<SignUpCartDetail> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let cart = super::get(state, actor, id).await.map_err(|f| f.error)?;
    let row = sdb::get(&state.db.pool, scope, id).await?.ok_or_else(|| AppError::not_found("sign-up session"))?;
    let mut cart = cart;
    cart.action = SignUpPerformed::Get;
    Ok(SignUpCartDetail {
        cart,
        created_at: crate::server::db::ms_to_rfc3339(row.created_at),
        stripe_subscription_id: row.stripe_subscription_id,
        stripe_schedule_id: row.stripe_schedule_id,
        stripe_invoice_id: row.stripe_invoice_id,
        stripe_payment_intent_id: row.stripe_payment_intent_id,
        setup_intent_id: row.setup_intent_id,
        history: sdb::history(&state.db.pool, scope, id, 200).await?,
        product_names: names(state, scope, &row.quote).await?,
        time_zone: settings::time_zone(state, actor).await?,
    })
}

async fn names(state: &AppState, scope: &crate::server::db::Scoped, q: &crate::model::SignUpQuote) -> AppResult<Vec<(String, String)>> {
    let mut ids = Vec::new();
    for o in &q.offerings {
        ids.extend(o.items.iter().map(|i| i.product_id.clone()));
    }
    let mut out = Vec::new();
    for id in ids {
        if let Some(p) = crate::server::db::record::get::<crate::model::Product, _>(&state.db.pool, scope, &id).await? {
            out.push((id, p.name));
        }
    }
    Ok(out)
}
