-- Discount rules and the record of every discount applied to a checkout session (API.md §11).
CREATE TABLE discount_rules (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    name TEXT NOT NULL,
    -- cart_value | loyalty | workflow
    rule_type TEXT NOT NULL,
    currency TEXT,
    -- JSON: [{minSubtotal, percentOff?, amountOff?, maxAmountOff?}]
    tiers TEXT NOT NULL,
    min_completed_checkouts BIGINT,
    percent_off BIGINT,
    amount_off BIGINT,
    -- The workflow rule's TypeScript, and what it compiled to.
    code TEXT,
    compiled_js TEXT,
    source_map TEXT,
    priority BIGINT NOT NULL,
    valid_from BIGINT,
    valid_until BIGINT,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX discount_rules_scope ON discount_rules (tenant_id, environment, id);

CREATE TABLE discount_applications (
    id TEXT PRIMARY KEY,
    checkout_session_id TEXT NOT NULL REFERENCES checkout_sessions(id) ON DELETE CASCADE,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    -- code | rule | removed
    source TEXT NOT NULL,
    rule_id TEXT,
    code TEXT,
    amount_before BIGINT NOT NULL,
    amount_after BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX discount_applications_session ON discount_applications (checkout_session_id, created_at);
