//! The Stripe integration of a tenant's environment: secret key and webhook signing secret,
//! encrypted at rest, shown masked, never logged; "Test connection" asks Stripe who we are.
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{
    StripeAccount, StripeIntegration, StripeIntegrationInput, validate_stripe_publishable_key, validate_stripe_secret_key, validate_webhook_secret,
};
use crate::server::auth::{Actor, Permission, keys::last4};
use crate::server::db::{self, Scoped, audit, new_id};
use crate::server::{AppState, internal, secrets};

fn context(scope: &Scoped, field: &str) -> String {
    format!("{}/{}/{field}", scope.tenant_id(), scope.env().as_str())
}

fn view(scope: &Scoped, row: &db::integrations::IntegrationRow) -> StripeIntegration {
    StripeIntegration {
        id: row.id.clone(),
        environment: scope.env(),
        secret_key: format!("{}…{}", row.secret_key_prefix, row.secret_key_last4),
        webhook_secret_set: row.webhook_secret_enc.is_some(),
        publishable_key: row.publishable_key.clone(),
        updated_at: row.updated_at.clone(),
    }
}

pub async fn get(state: &AppState, actor: &Actor) -> AppResult<Option<StripeIntegration>> {
    let scope = actor.authorize(Permission::ManageSecrets)?;
    Ok(db::integrations::get(&state.db.pool, scope).await?.map(|r| view(scope, &r)))
}

pub async fn put(state: &AppState, actor: &Actor, input: StripeIntegrationInput) -> AppResult<StripeIntegration> {
    let scope = actor.authorize(Permission::ManageSecrets)?;
    let key = input.secret_key.trim().to_string();
    let webhook = input.webhook_secret.as_deref().map(str::trim).filter(|w| !w.is_empty()).map(str::to_string);
    let mut e = FieldErrors::new();
    validate_stripe_secret_key(&key, scope.env(), &mut e);
    if let Some(w) = &webhook {
        validate_webhook_secret(w, &mut e);
    }
    let publishable = input.publishable_key.as_deref().map(str::trim).map(str::to_string);
    if let Some(pk) = &publishable {
        validate_stripe_publishable_key(pk, scope.env(), &mut e);
    }
    e.into_result()?;
    let key_enc = secrets::encrypt(&state.config.secret_key, &context(scope, "stripe_secret_key"), &key);
    let webhook_enc = webhook.map(|w| secrets::encrypt(&state.config.secret_key, &context(scope, "stripe_webhook_secret"), &w));
    let prefix: String = key.chars().take(8).collect();
    let id = new_id("int");
    let mut tx = state.db.begin_write().await?;
    db::integrations::upsert(
        &mut *tx,
        scope,
        db::integrations::Upsert {
            id: &id,
            secret_key_enc: &key_enc,
            secret_key_last4: &last4(&key),
            secret_key_prefix: &prefix,
            webhook_secret_enc: webhook_enc.as_deref(),
            publishable_key: publishable.as_deref(),
            now: state.clock.now_ms(),
        },
    )
    .await?;
    let row = db::integrations::get(&mut *tx, scope).await?.ok_or_else(AppError::internal)?;
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "stripe_integration.saved", "integration", &row.id), state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(view(scope, &row))
}

pub async fn delete(state: &AppState, actor: &Actor) -> AppResult<()> {
    let scope = actor.authorize(Permission::ManageSecrets)?;
    let mut tx = state.db.begin_write().await?;
    let Some(row) = db::integrations::get(&mut *tx, scope).await? else {
        return Err(AppError::not_found("Stripe integration"));
    };
    db::integrations::delete(&mut *tx, scope).await?;
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "stripe_integration.removed", "integration", &row.id), state.clock.now_ms()).await?;
    tx.commit().await?;
    Ok(())
}

/// The decrypted secret key of an environment, for server-side Stripe calls only.
pub async fn secret_key(state: &AppState, scope: &Scoped) -> AppResult<String> {
    let row = db::integrations::get(&state.db.pool, scope)
        .await?
        .ok_or_else(|| AppError::validation("this environment has no Stripe integration: add its secret key under Settings → Integrations"))?;
    secrets::decrypt(&state.config.secret_key, &context(scope, "stripe_secret_key"), &row.secret_key_enc)
        .ok_or_else(|| internal("stripe integration", "stored key does not decrypt (was OFFERDECK_SECRET_KEY changed?)"))
}

/// The environment's publishable key for Stripe.js, if the merchant has set one.
pub async fn publishable_key(state: &AppState, scope: &Scoped) -> AppResult<Option<String>> {
    Ok(db::integrations::get(&state.db.pool, scope).await?.and_then(|r| r.publishable_key))
}

/// Calls Stripe's `GET /v1/account` with the stored key.
pub async fn test_connection(state: &AppState, actor: &Actor) -> AppResult<StripeAccount> {
    let scope = actor.authorize(Permission::ManageSecrets)?;
    // Nothing to test is the integration's absence (404, as `GET`), not a bad request.
    if db::integrations::get(&state.db.pool, scope).await?.is_none() {
        return Err(AppError::not_found("Stripe integration"));
    }
    let key = secret_key(state, scope).await?;
    let res = state.stripe.request(&key, "GET", "/v1/account", None, None).await.map_err(|e| AppError::stripe(e.0))?;
    if !res.ok() {
        return Err(AppError::stripe(format!("Stripe refused the key: {}", res.error_message())));
    }
    let s = |p: &str| res.data.pointer(p).and_then(|v| v.as_str()).map(str::to_string);
    Ok(StripeAccount {
        id: s("/id").unwrap_or_default(),
        email: s("/email"),
        business_name: s("/business_profile/name").or_else(|| s("/settings/dashboard/display_name")),
        country: s("/country"),
    })
}
