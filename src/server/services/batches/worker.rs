//! The batch generator: claims due batches (queued, or left by a node whose lease ran out) and
//! makes their codes chunk by chunk, each chunk with the batch's progress in one transaction.
use super::generate;
use crate::error::AppResult;
use crate::model::BatchStatus;
use crate::server::AppState;
use crate::server::db::{self, Scoped, batches as bdb};

/// Chunks in a row that add no code before a batch gives up (its template is used up).
const STALE_CHUNKS: u32 = 20;

/// Generates every due batch (queued, or running with its lease run out); how many it finished.
/// Called when a batch is created, at start-up and every few seconds by [`spawn_worker`].
pub async fn work(state: &AppState) -> usize {
    let mut done = 0;
    loop {
        let now = state.clock.now_ms();
        let claimed = match db::worker::batches::claim_due(&state.db.pool, now, now + state.config.batches.lease_ms).await {
            Ok(Some(c)) => c,
            Ok(None) => return done,
            Err(e) => {
                tracing::warn!("claiming a coupon batch failed: {e}");
                return done;
            }
        };
        let (scope, id) = claimed;
        match run(state, &scope, &id, usize::MAX).await {
            Ok(true) => done += 1,
            Ok(false) => {}
            // Left claimed: retried once the lease has run out.
            Err(e) => {
                tracing::warn!(batch = %id, "generating a coupon batch failed, will retry: {}", e.message);
                return done;
            }
        }
    }
}

/// Generates at most `chunks` chunks of the claimed batch `id`; `true` once it is completed
/// (or failed for good). Stopping early (`chunks` reached, the process killed) leaves the codes
/// made so far pending and the batch running: whoever claims it next carries on from there.
pub async fn run(state: &AppState, scope: &Scoped, id: &str, chunks: usize) -> AppResult<bool> {
    let Some(b) = bdb::get(&state.db.pool, scope, id).await? else { return Ok(false) };
    if !matches!(b.status, BatchStatus::Queued | BatchStatus::Running) {
        return Ok(false);
    }
    let settings = state.config.batches;
    let template = b.template.clone().unwrap_or_default();
    let rules = &b.rules;
    let stripe_id = b.stripe_coupon_id.clone().unwrap_or_default();
    let (mut stale, mut left) = (0u32, chunks);
    loop {
        let now = state.clock.now_ms();
        let made = bdb::made(&state.db.pool, scope, id).await?;
        if made >= b.requested || template.is_empty() {
            let mut tx = state.db.begin_write().await?;
            let finished = if template.is_empty() {
                bdb::fail(&mut tx, scope, id, "the batch has no template", now).await?;
                true
            } else {
                bdb::complete(&mut tx, scope, id, made, now).await?
            };
            tx.commit().await?;
            // Codes this node checked while they were pending answer as active at once.
            state.coupon_checks.forget_scope(scope);
            if finished {
                tracing::info!(batch = %id, codes = made, "coupon batch completed");
            }
            return Ok(finished);
        }
        if left == 0 {
            return Ok(false);
        }
        left -= 1;
        let want = settings.chunk.min((b.requested - made) as usize);
        let codes = generate(&template, want);
        let code_rules = super::code_rules(rules, &b.campaign, id, &stripe_id, "pending", now);
        let mut tx = state.db.begin_write().await?;
        let inserted = bdb::insert_codes(&mut tx, state.db.backend, scope, &code_rules, &codes).await? as i64;
        let total = bdb::made(&mut *tx, scope, id).await?;
        if total > b.requested {
            // Another holder (a lease that ran out under a slow chunk) added codes meanwhile.
            tx.rollback().await?;
            continue;
        }
        if !bdb::progress(&mut *tx, scope, id, total, now + settings.lease_ms, now).await? {
            tx.rollback().await?;
            return Ok(false);
        }
        tx.commit().await?;
        stale = if inserted == 0 { stale + 1 } else { 0 };
        if stale >= STALE_CHUNKS {
            let mut tx = state.db.begin_write().await?;
            bdb::fail(&mut tx, scope, id, "the template has run out of unused codes: nothing was kept; use a template with more ?", now).await?;
            tx.commit().await?;
            return Ok(true);
        }
        if settings.pause_ms > 0 {
            tokio::time::sleep(std::time::Duration::from_millis(settings.pause_ms)).await;
        }
    }
}

/// Runs [`work`] at start-up and every five seconds (batches left by a stopped node, or created
/// on another node, are picked up within a lease and five seconds).
pub fn spawn_worker(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tick.tick().await;
            work(&state).await;
        }
    });
}
