//! Offers on the dashboard, through `services::offers`. Validity windows are typed in the
//! tenant's time zone and stored in UTC.
use crate::error::AppError;
use crate::model::{Offer, OfferDetail, OfferFormData};
use leptos::prelude::*;

#[cfg(feature = "ssr")]
async fn form_data(state: &crate::server::AppState, actor: &crate::server::auth::Actor) -> Result<OfferFormData, AppError> {
    use crate::model::{PriceOption, ProductStatus};
    use crate::server::services::{methods, prices, products};
    let time_zone = crate::server::services::tenants::time_zone(state, actor).await?;
    let methods =
        methods::list(state, actor, None, Some(100)).await?.data.into_iter().filter(|m| m.status == ProductStatus::Active).map(|m| (m.id, m.name)).collect();
    let products = products::list(state, actor, products::ListParams { limit: Some(100), ..Default::default() }).await?.data;
    let prices = prices::list(state, actor, None, None, Some(100))
        .await?
        .data
        .into_iter()
        .filter(|p| p.status == ProductStatus::Active)
        .map(|p| {
            let product = products.iter().find(|x| x.id == p.product_id).map(|x| x.name.clone()).unwrap_or_default();
            let every = p.interval.map(|i| format!(" / {}", i.as_str())).unwrap_or_default();
            PriceOption { label: format!("{product} — {}{every} ({})", p.display, p.stripe_price_id), id: p.id }
        })
        .collect();
    Ok(OfferFormData { methods, prices, time_zone })
}

#[server(prefix = "/sfn", endpoint = "offers/list")]
pub async fn list_offers() -> Result<Vec<Offer>, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::offers::list(&state, &actor, None, Some(100)).await.map(|p| p.data))
}

#[server(prefix = "/sfn", endpoint = "offers/form")]
pub async fn load_offer_form() -> Result<OfferFormData, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(form_data(&state, &actor).await)
}

#[server(prefix = "/sfn", endpoint = "offers/get")]
pub async fn get_offer(id: String) -> Result<OfferDetail, AppError> {
    use crate::server::services::{methods, offers};
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    let offer = ctx::finish(offers::get(&state, &actor, &id).await)?;
    let form = form_data(&state, &actor).await?;
    let method = methods::get(&state, &actor, &offer.redemption_method_id).await?;
    let object = offers::workflow_preview(&state, &actor, &offer, &method).await?;
    let local = |v: &Option<String>| v.as_deref().map(|s| crate::server::tz::rfc3339_to_local(s, &form.time_zone)).unwrap_or_default();
    Ok(OfferDetail {
        valid_from_local: local(&offer.valid_from),
        valid_until_local: local(&offer.valid_until),
        workflow_object: serde_json::to_string_pretty(&object).unwrap_or_default(),
        offer,
        form,
    })
}

#[cfg(feature = "ssr")]
#[allow(clippy::too_many_arguments)]
fn to_input(
    tz: &str,
    name: String,
    method_id: String,
    price_ids: Option<Vec<String>>,
    title: String,
    price_label: String,
    description: String,
    instructions: String,
    valid_from: String,
    valid_until: String,
    audience: String,
) -> Result<crate::model::OfferCreate, AppError> {
    use crate::error::FieldErrors;
    use crate::model::{Audience, OfferCreate, OfferPresentation};
    let mut e = FieldErrors::new();
    let instructions = match instructions.trim() {
        "" => None,
        text => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(v) => Some(v),
            Err(err) => {
                e.add("instructions", format!("is not valid JSON: {err}"));
                None
            }
        },
    };
    let valid_from = crate::server::tz::local_field(&mut e, "validFrom", &valid_from, tz);
    let valid_until = crate::server::tz::local_field(&mut e, "validUntil", &valid_until, tz);
    let audience = Audience::parse(&audience);
    if audience.is_none() {
        e.add("audience", "must be all, anonymous or authenticated");
    }
    e.into_result()?;
    Ok(OfferCreate {
        name,
        redemption_method_id: method_id,
        price_ids: price_ids.unwrap_or_default(),
        presentation: OfferPresentation { title, price: Some(price_label), description: Some(description) },
        instructions,
        valid_from,
        valid_until,
        audience,
    })
}

#[server(prefix = "/sfn", endpoint = "offers/create")]
#[allow(clippy::too_many_arguments)]
pub async fn create_offer(
    name: String,
    method_id: String,
    price_ids: Option<Vec<String>>,
    title: String,
    price_label: String,
    description: String,
    instructions: String,
    valid_from: String,
    valid_until: String,
    audience: String,
) -> Result<Offer, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    let tz = ctx::finish(crate::server::services::tenants::time_zone(&state, &actor).await)?;
    let input = ctx::finish(to_input(&tz, name, method_id, price_ids, title, price_label, description, instructions, valid_from, valid_until, audience))?;
    let offer = ctx::finish(crate::server::services::offers::create(&state, &actor, input).await)?;
    leptos_axum::redirect(&format!("/offers/{}", offer.id));
    Ok(offer)
}

#[server(prefix = "/sfn", endpoint = "offers/update")]
#[allow(clippy::too_many_arguments)]
pub async fn update_offer(
    id: String,
    name: String,
    method_id: String,
    price_ids: Option<Vec<String>>,
    title: String,
    price_label: String,
    description: String,
    instructions: String,
    valid_from: String,
    valid_until: String,
    audience: String,
) -> Result<Offer, AppError> {
    use crate::model::OfferUpdate;
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    let tz = ctx::finish(crate::server::services::tenants::time_zone(&state, &actor).await)?;
    let c = ctx::finish(to_input(&tz, name, method_id, price_ids, title, price_label, description, instructions, valid_from, valid_until, audience))?;
    let clear = |v: Option<String>| Some(v.unwrap_or_default());
    let input = OfferUpdate {
        name: Some(c.name),
        redemption_method_id: Some(c.redemption_method_id),
        price_ids: Some(c.price_ids),
        presentation: Some(c.presentation),
        instructions: Some(c.instructions.unwrap_or(serde_json::json!({}))),
        valid_from: clear(c.valid_from),
        valid_until: clear(c.valid_until),
        audience: c.audience,
    };
    ctx::finish(crate::server::services::offers::update(&state, &actor, &id, input).await)
}

#[server(prefix = "/sfn", endpoint = "offers/archive")]
pub async fn set_offer_archived(id: String, archived: String) -> Result<Offer, AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::offers::set_archived(&state, &actor, &id, archived == "true").await)
}

#[server(prefix = "/sfn", endpoint = "tenant/time_zone")]
pub async fn set_time_zone(time_zone: String) -> Result<(), AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::tenants::set_time_zone(&state, &actor, &time_zone).await)
}

#[server(prefix = "/sfn", endpoint = "tenant/token_ttl")]
pub async fn set_token_ttl(minutes: String) -> Result<(), AppError> {
    use crate::server_fns::ctx;
    let (state, actor) = ctx::actor().await?;
    ctx::finish(crate::server::services::tenants::set_token_ttl(&state, &actor, &minutes).await)
}
