-- Coupons with their limits, redemptions keyed by (coupon, subscription), per-customer use
-- counts (the per-customer limit is one conditional upsert), Stripe events seen (each id once),
-- and the outgoing webhook outbox: endpoints, messages, one delivery per (message, endpoint) and
-- every attempt.
CREATE TABLE coupons (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    code TEXT NOT NULL,
    coupon_type TEXT NOT NULL,
    amount BIGINT NOT NULL,
    currency TEXT,
    repeat_months BIGINT,
    max_redemptions BIGINT,
    max_per_customer BIGINT,
    starts_at BIGINT,
    expires_at BIGINT,
    campaign TEXT,
    stripe_coupon_id TEXT NOT NULL,
    times_redeemed BIGINT NOT NULL DEFAULT 0,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, environment, code)
);
CREATE INDEX coupons_campaign ON coupons(tenant_id, environment, campaign);

CREATE TABLE coupon_redemptions (
    id TEXT PRIMARY KEY,
    coupon_id TEXT NOT NULL REFERENCES coupons(id),
    tenant_id TEXT NOT NULL,
    environment TEXT NOT NULL,
    subscription_id TEXT NOT NULL,
    customer_id TEXT,
    source TEXT NOT NULL,
    stripe_event_id TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (coupon_id, subscription_id)
);
CREATE INDEX coupon_redemptions_time ON coupon_redemptions(coupon_id, created_at);

CREATE TABLE coupon_customer_uses (
    coupon_id TEXT NOT NULL REFERENCES coupons(id),
    customer_id TEXT NOT NULL,
    uses BIGINT NOT NULL,
    PRIMARY KEY (coupon_id, customer_id)
);

CREATE TABLE stripe_events (
    integration_id TEXT NOT NULL,
    event_id TEXT NOT NULL,
    tenant_id TEXT NOT NULL,
    environment TEXT NOT NULL,
    event_type TEXT NOT NULL,
    outcome TEXT NOT NULL,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (integration_id, event_id)
);

CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    url TEXT NOT NULL,
    description TEXT NOT NULL,
    event_types TEXT NOT NULL,
    secret_enc TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_scope ON webhook_endpoints(tenant_id, environment);

CREATE TABLE webhook_messages (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    environment TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    message_id TEXT NOT NULL REFERENCES webhook_messages(id),
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id),
    tenant_id TEXT NOT NULL,
    environment TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    locked_until BIGINT NOT NULL DEFAULT 0,
    give_up_at BIGINT NOT NULL,
    last_status_code BIGINT,
    last_error TEXT,
    delivered_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (message_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries(endpoint_id, created_at);

CREATE TABLE webhook_attempts (
    id TEXT PRIMARY KEY,
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries(id),
    attempted_at BIGINT NOT NULL,
    status_code BIGINT,
    error TEXT,
    duration_ms BIGINT NOT NULL,
    response_excerpt TEXT
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, attempted_at);
