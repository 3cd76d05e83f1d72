//! The coupon CSV export (both doors: `/api/v1/coupons/export.csv` and the dashboard's download).
use crate::error::AppResult;
use crate::server::AppState;
use crate::server::auth::{Actor, Permission};
use crate::server::db::coupons as cdb;

/// The coupons of the environment with their counts, as CSV (spreadsheet-safe: a text cell that
/// starts with `=`, `+`, `-` or `@` is prefixed with `'`).
pub async fn export_csv(state: &AppState, actor: &Actor) -> AppResult<String> {
    let scope = actor.authorize(Permission::TenantRead)?;
    let now = state.clock.now_ms();
    let mut w = csv::Writer::from_writer(Vec::new());
    let header = [
        "code",
        "type",
        "amount",
        "currency",
        "repeat_months",
        "max_redemptions",
        "max_redemptions_per_customer",
        "times_redeemed",
        "status",
        "campaign",
        "expires_at",
        "stripe_coupon_id",
        "created_at",
    ];
    w.write_record(header).map_err(|e| crate::server::internal("csv", e))?;
    let mut after: Option<String> = None;
    loop {
        let (page, more) =
            cdb::list(&state.db.pool, scope, cdb::ListFilter { search: None, status: None, campaign: None, starting_after: after.as_deref(), limit: 100 }, now)
                .await?;
        for c in &page {
            let opt = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
            let rec = [
                safe_cell(&c.code),
                c.coupon_type.as_str().to_string(),
                c.amount.to_string(),
                c.currency.clone().unwrap_or_default(),
                opt(c.repeat_months),
                opt(c.max_redemptions),
                opt(c.max_redemptions_per_customer),
                c.times_redeemed.to_string(),
                c.status.as_str().to_string(),
                safe_cell(c.campaign.as_deref().unwrap_or("")),
                c.expires_at.clone().unwrap_or_default(),
                c.stripe_coupon_id.clone(),
                c.created_at.clone(),
            ];
            w.write_record(&rec).map_err(|e| crate::server::internal("csv", e))?;
        }
        if !more {
            break;
        }
        after = page.last().map(|c| c.id.clone());
    }
    let bytes = w.into_inner().map_err(|e| crate::server::internal("csv", e))?;
    String::from_utf8(bytes).map_err(|e| crate::server::internal("csv", e))
}

/// OWASP's CSV-injection rule for cells people type.
pub fn safe_cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_string() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_cannot_become_formulas() {
        assert_eq!(safe_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(safe_cell("-10OFF"), "'-10OFF");
        assert_eq!(safe_cell("SPRING"), "SPRING");
    }
}
