//! Surfaces (named places in the merchant's product with experience slots) and surface
//! decisions: for each slot its experience and, per offer slot, the highest-priority offer
//! eligible now for this identity, with a fresh signed offer token. Both doors save through
//! [`save`]; the dashboard's form (slot rows as parallel lists) through [`save_form`].
use crate::error::{AppError, AppResult, FieldErrors};
use crate::model::{
    Audience, EventStatus, Experience, ExperienceKind, Facet, Identity, IdentityInput, IdentityKind, ProductStatus, Surface, SurfaceInput, SurfaceSlot,
    SurfacesData, validate_key, validate_slug,
};
use crate::server::auth::{Actor, Permission};
use crate::server::db::impressions::Decision;
use crate::server::db::{audit, new_id, record, surfaces as sdb};
use crate::server::services::experiences;
use crate::server::services::forms::{nth, remap_rows};
use crate::server::services::records;
use crate::server::snapshot::OfferEntry;
use crate::server::{AppState, is_unique_violation, tokens};
use crate::server_fns::surfaces::SurfaceForm;
use serde_json::{Value, json};

/// At most this many slots per surface (each one is resolved on every decision).
pub const MAX_SLOTS: usize = 50;

pub async fn save(state: &AppState, actor: &Actor, id: Option<&str>, input: SurfaceInput) -> AppResult<Surface> {
    let scope = super::versions::config_scope(state, actor).await?;
    if let Some(id) = id {
        record::get::<Surface, _>(&state.db.pool, scope, id).await?.ok_or_else(|| AppError::not_found("surface"))?;
    }
    let mut e = FieldErrors::new();
    if input.name.trim().is_empty() {
        e.add("name", "is required");
    }
    let slug = input.slug.trim().to_string();
    validate_slug(&slug, &mut e);
    if input.slots.len() > MAX_SLOTS {
        return Err(AppError::field("slots", format!("at most {MAX_SLOTS} slots")));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, s) in input.slots.iter().enumerate() {
        validate_key(&s.key, &format!("slots[{i}].key"), &mut e);
        if !seen.insert(s.key.as_str()) {
            e.add(&format!("slots[{i}].key"), "is used twice");
        }
        if let Some(xid) = s.experience_id.as_deref().filter(|x| !x.is_empty())
            && record::get::<Experience, _>(&state.db.pool, scope, xid).await?.is_none()
        {
            e.add(&format!("slots[{i}].experienceId"), "no such experience in this environment");
        }
    }
    e.into_result()?;
    let id = id.map(str::to_string).unwrap_or_else(|| new_id("srf"));
    let slots = serde_json::to_string(&input.slots).map_err(|e| crate::server::internal("surface json", e))?;
    let mut tx = state.db.begin_write().await?;
    let s = match sdb::upsert(&mut *tx, scope, &id, (input.name.trim(), &slug), &slots, state.clock.now_ms()).await {
        Err(err) if is_unique_violation(&err) => return Err(AppError::field("slug", "is already used by another surface in this environment")),
        // The id exists in another tenant or environment: not this caller's to update.
        other => other?.ok_or_else(|| AppError::not_found("surface"))?,
    };
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "surface.saved", "surface", &id), state.clock.now_ms()).await?;
    tx.commit().await?;
    state.snapshots.changed(&state.db, scope).await;
    Ok(s)
}

pub async fn delete(state: &AppState, actor: &Actor, id: &str) -> AppResult<()> {
    let scope = super::versions::config_scope(state, actor).await?;
    let mut tx = state.db.begin_write().await?;
    if !record::delete::<Surface, _>(&mut *tx, scope, id).await? {
        return Err(AppError::not_found("surface"));
    }
    audit::record(&mut *tx, audit::Entry::of(scope, &actor.label(), "surface.deleted", "surface", id), state.clock.now_ms()).await?;
    tx.commit().await?;
    state.snapshots.changed(&state.db, scope).await;
    Ok(())
}

pub async fn get(state: &AppState, actor: &Actor, id: &str) -> AppResult<Surface> {
    records::get(state, actor, id, "surface").await
}

pub async fn list(state: &AppState, actor: &Actor) -> AppResult<Vec<Surface>> {
    records::all(state, actor).await
}

/// One page of surfaces, newest first (`/api/v1/surfaces`).
pub async fn page(state: &AppState, actor: &Actor, starting_after: Option<&str>, limit: Option<i64>) -> AppResult<crate::model::Page<Surface>> {
    records::page(state, actor, starting_after, limit).await
}

/// The dashboard's surface form: slot rows typed as text, rows without a key skipped (field
/// errors name the rows as typed). An empty `id` creates a surface.
pub async fn save_form(state: &AppState, actor: &Actor, form: SurfaceForm) -> AppResult<Surface> {
    let mut slots = Vec::new();
    let mut used_rows = Vec::new();
    for i in 0..form.slot_keys.as_ref().map(Vec::len).unwrap_or(0) {
        let key = nth(&form.slot_keys, i);
        if key.is_empty() {
            continue;
        }
        let facet = match nth(&form.slot_facets, i).as_str() {
            "json" => Facet::Json,
            "text" => Facet::Text,
            _ => Facet::Web,
        };
        slots.push(SurfaceSlot { key, facet, experience_id: Some(nth(&form.slot_experiences, i)).filter(|s| !s.is_empty()) });
        used_rows.push(i);
    }
    let existing = Some(form.id.as_str()).filter(|s| !s.is_empty());
    let input = SurfaceInput { name: form.name, slug: form.slug, slots };
    save(state, actor, existing, input).await.map_err(|e| remap_rows(e, "slots", &used_rows))
}

/// The experiences a slot may show (id, name), for the dashboard's pickers.
async fn experience_names(state: &AppState, actor: &Actor) -> AppResult<Vec<(String, String)>> {
    Ok(experiences::list(state, actor).await?.into_iter().map(|x| (x.id, x.name)).collect())
}

/// The surfaces list of the dashboard, with the experience names.
pub async fn dashboard_page(state: &AppState, actor: &Actor) -> AppResult<SurfacesData> {
    let surfaces = list(state, actor).await?;
    Ok(SurfacesData { surfaces, experiences: experience_names(state, actor).await? })
}

/// A surface with the experiences its slots may show, for its editor.
pub async fn editor(state: &AppState, actor: &Actor, id: &str) -> AppResult<(Surface, Vec<(String, String)>)> {
    let surface = get(state, actor, id).await?;
    Ok((surface, experience_names(state, actor).await?))
}

/// Why a candidate offer was or was not presented (the `debug` answer).
fn eligibility(entry: Option<&OfferEntry>, identity: &Identity, now: i64) -> Result<(), &'static str> {
    let Some(e) = entry else { return Err("no such offer") };
    if e.offer.status != ProductStatus::Active {
        return Err("archived");
    }
    if e.redemption_schema.is_empty() {
        return Err("its redemption method is archived");
    }
    if e.from_ms.is_some_and(|f| f > now) || e.until_ms.is_some_and(|u| u <= now) {
        return Err("outside its validity window");
    }
    match (e.offer.audience, identity.kind) {
        (Audience::Anonymous, IdentityKind::Authenticated) | (Audience::Authenticated, IdentityKind::Anonymous) => Err("wrong audience"),
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct DecisionIn {
    pub surface_slug: String,
    pub identity: IdentityInput,
    /// Secret keys only: explains, per offer slot, why each candidate was or was not presented.
    #[serde(default)]
    pub debug: bool,
}

/// One presented offer of a decision, borrowed from the snapshot.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct Presented<'a> {
    id: &'a str,
    presentation: &'a crate::model::OfferPresentation,
    redemption_schema: &'a str,
    token: String,
}

#[derive(serde::Serialize)]
#[serde(untagged)]
enum Content<'a> {
    Html(String),
    App(&'a Value),
}

#[derive(serde::Serialize)]
struct ExperienceOut<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    content: Content<'a>,
}

#[derive(serde::Serialize)]
struct SlotOut<'a> {
    key: &'a str,
    facet: &'a crate::model::Facet,
    experience: Option<ExperienceOut<'a>>,
    offers: &'a [Presented<'a>],
    #[serde(skip_serializing_if = "Option::is_none")]
    debug: Option<serde_json::Map<String, Value>>,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct IdentityOut<'a> {
    auth_type: &'static str,
    identifier: &'a str,
    is_authenticated: bool,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct DecisionOut<'a> {
    status: &'static str,
    status_code: u16,
    event_id: &'a str,
    identity: IdentityOut<'a>,
    offer: Option<&'a Presented<'a>>,
    slots: Vec<SlotOut<'a>>,
}

/// What the events page shows of a decision's request and answer.
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct RecordedRequest<'a> {
    surface_slug: &'a str,
    identity: RecordedIdentity<'a>,
    debug: bool,
}

#[derive(serde::Serialize)]
struct RecordedIdentity<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    identifier: &'a str,
}

#[derive(serde::Serialize)]
struct RecordedResponse<'a> {
    presented: &'a [String],
}

/// What the first pass of a decision chose: every presented offer in one list, each slot's
/// experience with its range of that list, and (debug only) each slot's reasons.
struct Chosen<'s> {
    presented: Vec<Presented<'s>>,
    ranges: Vec<(Option<&'s Experience>, std::ops::Range<usize>)>,
    debugs: Vec<Option<serde_json::Map<String, Value>>>,
}

/// The inputs of the first pass, read from the snapshot only.
struct Chooser<'s> {
    key: &'s [u8; 32],
    scope: &'s crate::server::db::Scoped,
    snap: &'s crate::server::snapshot::Snapshot,
    identity: &'s Identity,
    now_ms: i64,
    debug: bool,
}

impl<'s> Chooser<'s> {
    /// Per offer slot of each slot's experience, the first eligible candidate, with a token.
    fn choose(&self, surface: &'s Surface) -> Chosen<'s> {
        let mut c = Chosen { presented: Vec::new(), ranges: Vec::with_capacity(surface.slots.len()), debugs: Vec::with_capacity(surface.slots.len()) };
        for slot in &surface.slots {
            let experience: Option<&Experience> = slot.experience_id.as_deref().and_then(|x| self.snap.experiences.get(x));
            let first = c.presented.len();
            let mut debug_out = serde_json::Map::new();
            for (offer_slot, candidates) in experience.iter().flat_map(|x| &x.offers) {
                let reasons = self.choose_one(candidates, &mut c.presented);
                if self.debug {
                    debug_out.insert(offer_slot.clone(), Value::Array(reasons));
                }
            }
            c.ranges.push((experience, first..c.presented.len()));
            c.debugs.push(self.debug.then_some(debug_out));
        }
        c
    }

    /// One offer slot: presents the first eligible candidate; the reasons when debugging.
    fn choose_one(&self, candidates: &'s [String], presented: &mut Vec<Presented<'s>>) -> Vec<Value> {
        let mut chosen = false;
        let mut reasons = Vec::new();
        for oid in candidates {
            let entry = self.snap.offers.get(oid);
            let verdict = if chosen { Err("lower priority") } else { eligibility(entry, self.identity, self.now_ms) };
            if self.debug {
                reasons.push(json!({"offerId": oid, "presented": verdict.is_ok(), "reason": verdict.err()}));
            }
            if let (Ok(()), Some(e)) = (verdict, entry) {
                chosen = true;
                let token = tokens::mint(self.key, self.scope, &e.offer.id, self.identity, self.snap.token_ttl_seconds, self.now_ms / 1000);
                presented.push(Presented { id: &e.offer.id, presentation: &e.offer.presentation, redemption_schema: &e.redemption_schema, token });
            }
        }
        reasons
    }

    /// Hands the decision to the batched recorder (the events page shows it).
    async fn record(&self, state: &AppState, event_id: &str, surface: &Surface, presented_ids: Vec<String>) {
        let identity = self.identity;
        state
            .recorder
            .decision(Decision {
                scope: self.scope.clone(),
                event_id: event_id.to_string(),
                status: if presented_ids.is_empty() { EventStatus::Empty } else { EventStatus::Presented },
                identity_kind: identity.kind,
                identity: identity.identifier.clone(),
                request: serde_json::to_string(&RecordedRequest {
                    surface_slug: &surface.slug,
                    identity: RecordedIdentity { kind: identity.kind.as_str(), identifier: &identity.identifier },
                    debug: self.debug,
                })
                .unwrap_or_default(),
                response: serde_json::to_string(&RecordedResponse { presented: &presented_ids }).unwrap_or_default(),
                campaigns: presented_ids.iter().map(|id| self.snap.offers.get(id).and_then(|e| e.offer.campaign.clone())).collect(),
                offer_ids: presented_ids,
                at_ms: self.now_ms,
            })
            .await;
    }
}

/// `POST /api/v1/surface-decisions`; the answer is serialized here, once, from borrowed parts
/// of the configuration snapshot (the hot path builds no intermediate JSON tree).
pub async fn decide(state: &AppState, actor: &Actor, input: DecisionIn) -> AppResult<Vec<u8>> {
    let scope = actor.authorize(Permission::Runtime)?.clone();
    let publishable = actor.is_publishable();
    if publishable && input.identity.user_identifier.is_some() {
        return Err(AppError::new(crate::error::ErrorCode::Forbidden, "a publishable key cannot name a user: use anonymousIdentifier or a secret key"));
    }
    if publishable && input.debug {
        return Err(AppError::new(crate::error::ErrorCode::Forbidden, "debug needs a secret key"));
    }
    let identity = input.identity.resolve(|| format!("anon_{}", uuid::Uuid::new_v4().simple()))?;
    // Configuration comes from the in-memory snapshot: no database read on this path.
    let snap = state.snapshots.get(&state.db, &scope).await?;
    let surface = snap.surfaces.get(input.surface_slug.trim()).ok_or_else(|| AppError::not_found("surface"))?;
    let now_ms = state.clock.now_ms();
    let chooser = Chooser { key: &state.config.secret_key, scope: &scope, snap: &snap, identity: &identity, now_ms, debug: input.debug };
    let Chosen { presented, ranges, debugs } = chooser.choose(surface);
    let mut slots_out = Vec::with_capacity(surface.slots.len());
    for ((slot, (experience, range)), debug) in surface.slots.iter().zip(ranges).zip(debugs) {
        let offers = &presented[range];
        let experience = experience.map(|x| ExperienceOut {
            id: &x.id,
            kind: if x.kind == ExperienceKind::App { "app" } else { "html" },
            content: match x.kind {
                ExperienceKind::Html => {
                    let first = offers.first().map(|p| json!({"id": p.id, "token": p.token, "presentation": p.presentation}));
                    Content::Html(crate::model::fill_offer_placeholders(x.html.as_deref().unwrap_or(""), first.as_ref()))
                }
                ExperienceKind::App => Content::App(&x.content),
            },
        });
        slots_out.push(SlotOut { key: &slot.key, facet: &slot.facet, experience, offers, debug });
    }
    let presented_ids: Vec<String> = presented.iter().map(|p| p.id.to_string()).collect();
    let event_id = new_id("evt");
    chooser.record(state, &event_id, surface, presented_ids).await;
    let authenticated = identity.kind == IdentityKind::Authenticated;
    let out = DecisionOut {
        status: "success",
        status_code: 200,
        event_id: &event_id,
        identity: IdentityOut {
            auth_type: if authenticated { "provided" } else { "anonymous" },
            identifier: &identity.identifier,
            is_authenticated: authenticated,
        },
        offer: presented.first(),
        slots: slots_out,
    };
    serde_json::to_vec(&out).map_err(|e| crate::server::internal("decision answer", e))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn html_placeholders_are_escaped() {
        let offer = json!({"id": "off_1", "token": "t.k", "presentation": {"title": "<b>Pro</b> & more", "price": "£10.00"}});
        let out = crate::model::fill_offer_placeholders(
            "<h2>{{offer.title}}</h2><p>{{offer.price}}</p><a data-t=\"{{offer.token}}\">{{offer.description}}</a>",
            Some(&offer),
        );
        assert_eq!(out, "<h2>&lt;b&gt;Pro&lt;/b&gt; &amp; more</h2><p>£10.00</p><a data-t=\"t.k\"></a>");
    }
}
