-- Sign-up carts (API.md §12): one row per cart, its state decided by conditional updates
-- (PENDING → FINALIZING while one call talks to Stripe → FINALIZED | back to PENDING on a
-- decline; PENDING → CANCELED | EXPIRED); the history of every action with its answer; the
-- tenant's defaults for a cart's bill group.
CREATE TABLE signup_carts (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    -- PENDING | FINALIZING | FINALIZED | CANCELED | EXPIRED
    state TEXT NOT NULL,
    -- The request's customer, billGroup and quote as last given (JSON).
    customer TEXT NOT NULL,
    bill_group TEXT NOT NULL,
    quote TEXT NOT NULL,
    account_name TEXT NOT NULL,
    contact_email TEXT NOT NULL,
    currency TEXT NOT NULL,
    amount BIGINT NOT NULL,
    amount_discount BIGINT NOT NULL,
    discount_code TEXT,
    coupon_id TEXT,
    -- 1 while the cart holds one use of its coupon's limits.
    reserved BIGINT NOT NULL DEFAULT 0,
    stripe_customer_id TEXT,
    setup_intent_id TEXT,
    payment_method_id TEXT,
    payment_method_name TEXT,
    payment_method_brand TEXT,
    payment_method_last4 TEXT,
    payment_method_added_at BIGINT,
    -- Which attempt of FINALIZE (Stripe idempotency keys) and until when the current one holds
    -- the cart.
    finalize_attempt BIGINT NOT NULL DEFAULT 0,
    claimed_until BIGINT,
    -- The FINALIZE answer (JSON), given again to every later FINALIZE.
    result TEXT,
    stripe_subscription_id TEXT,
    stripe_schedule_id TEXT,
    stripe_invoice_id TEXT,
    stripe_payment_intent_id TEXT,
    finalized_at BIGINT,
    expires_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX signup_carts_scope ON signup_carts (tenant_id, environment, id);
CREATE INDEX signup_carts_created ON signup_carts (tenant_id, environment, created_at);
CREATE INDEX signup_carts_open ON signup_carts (state, expires_at);

CREATE TABLE signup_cart_history (
    id TEXT PRIMARY KEY,
    cart_id TEXT NOT NULL REFERENCES signup_carts(id) ON DELETE CASCADE,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    action TEXT NOT NULL,
    status_code BIGINT NOT NULL,
    -- The request and the answer, JSON (client secrets left out).
    request TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX signup_cart_history_cart ON signup_cart_history (cart_id, created_at);

ALTER TABLE tenants ADD COLUMN signup_auto_email_invoice BIGINT NOT NULL DEFAULT 1;
ALTER TABLE tenants ADD COLUMN signup_collect_automatically BIGINT NOT NULL DEFAULT 1;
ALTER TABLE tenants ADD COLUMN signup_days_until_due BIGINT NOT NULL DEFAULT 30;
