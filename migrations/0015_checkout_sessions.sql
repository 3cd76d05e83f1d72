-- Checkout sessions (API.md §10): one row per session, its Stripe ids and amounts; the Stripe
-- customer found or created per locked email; a coupon's open reservations; the timeline of
-- each session (what happened to it, for the dashboard).
CREATE TABLE stripe_customers (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    -- Lower-cased.
    email TEXT NOT NULL,
    stripe_customer_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, environment, email)
);

CREATE TABLE checkout_sessions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    -- opening (Stripe not answered yet; never listed) | pending | completed | expired
    status TEXT NOT NULL,
    request_id TEXT,
    product_id TEXT NOT NULL,
    price_id TEXT NOT NULL,
    units BIGINT NOT NULL,
    -- payment | subscription
    mode TEXT NOT NULL,
    customer_email TEXT,
    stripe_customer_id TEXT,
    coupon_id TEXT,
    discount_code TEXT,
    -- 1 while the session holds one use of its coupon's limits.
    reserved BIGINT NOT NULL DEFAULT 0,
    success_url TEXT NOT NULL,
    cancel_url TEXT NOT NULL,
    metadata TEXT NOT NULL,
    ui_mode TEXT NOT NULL,
    discount_updates TEXT NOT NULL,
    client_secret_enc TEXT,
    stripe_checkout_session_id TEXT,
    stripe_subscription_id TEXT,
    stripe_payment_intent_id TEXT,
    checkout_url TEXT,
    amount_subtotal BIGINT NOT NULL,
    amount_discount BIGINT NOT NULL,
    amount_total BIGINT NOT NULL,
    currency TEXT NOT NULL,
    -- The discount now on the session: code | rule, its name and the rule's id.
    discount_source TEXT,
    discount_rule_id TEXT,
    expires_at BIGINT NOT NULL,
    completed_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX checkout_sessions_scope ON checkout_sessions (tenant_id, environment, id);
CREATE INDEX checkout_sessions_request ON checkout_sessions (tenant_id, environment, request_id);
CREATE INDEX checkout_sessions_subscription ON checkout_sessions (tenant_id, environment, stripe_subscription_id);
CREATE INDEX checkout_sessions_customer ON checkout_sessions (tenant_id, environment, stripe_customer_id, status);
CREATE INDEX checkout_sessions_open ON checkout_sessions (status, expires_at);

CREATE TABLE checkout_session_timeline (
    id TEXT PRIMARY KEY,
    checkout_session_id TEXT NOT NULL REFERENCES checkout_sessions(id) ON DELETE CASCADE,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    -- created | completed | expired | discount | webhook | stripe_event | return
    kind TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX checkout_session_timeline_session ON checkout_session_timeline (checkout_session_id, created_at);

-- Uses of a coupon held by open checkout sessions: the limits count them beside times_redeemed.
ALTER TABLE coupons ADD COLUMN reserved BIGINT NOT NULL DEFAULT 0;

-- The integration's Stripe publishable key (pk_test_ / pk_live_), handed to Stripe.js with a
-- custom-mode session's client secret. Not a secret.
ALTER TABLE stripe_integrations ADD COLUMN publishable_key TEXT;
