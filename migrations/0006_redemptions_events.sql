-- Events (what happened, for the events page and webhooks) and offer redemptions keyed by the
-- token's nonce, so that a token whose redemption succeeded replays its recorded answer.
CREATE TABLE events (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    event_type TEXT NOT NULL,
    status TEXT NOT NULL,
    offer_id TEXT,
    method_id TEXT,
    workflow_version BIGINT,
    identity_kind TEXT,
    identity TEXT,
    duration_ms BIGINT,
    request TEXT,
    response TEXT,
    logs TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX events_scope ON events(tenant_id, environment, created_at);

CREATE TABLE offer_redemptions (
    token_nonce TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    environment TEXT NOT NULL,
    offer_id TEXT NOT NULL,
    state TEXT NOT NULL,
    event_id TEXT,
    http_status BIGINT,
    response TEXT,
    created_at BIGINT NOT NULL
);
