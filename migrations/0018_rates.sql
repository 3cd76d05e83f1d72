-- Rates of an offer (API.md §12): a name and a set of the offer's prices, one per product, of one
-- currency and interval; what a sign-up cart's `rateId` names.
CREATE TABLE rates (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    offer_id TEXT NOT NULL,
    name TEXT NOT NULL,
    currency TEXT NOT NULL,
    billing_interval TEXT,
    -- JSON arrays, in the same order: the prices and the product of each.
    price_ids TEXT NOT NULL,
    product_ids TEXT NOT NULL,
    self_service BIGINT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX rates_offer ON rates (tenant_id, environment, offer_id, id);
