-- One row per offer presented by a surface decision, written in batches by the recorder; with
-- the redemption events they give the offer page its impressions, redemptions and conversion.
CREATE TABLE impressions (
    tenant_id TEXT NOT NULL,
    environment TEXT NOT NULL,
    offer_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    identity TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX impressions_offer ON impressions(tenant_id, environment, offer_id, created_at);
CREATE INDEX events_offer ON events(tenant_id, environment, offer_id, created_at);
