-- Catalogue prices: an amount in minor units and a currency, one-off or recurring, mirrored by a
-- Stripe price id. Archived, never deleted (offers keep pointing at them).
CREATE TABLE prices (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    product_id TEXT NOT NULL REFERENCES products(id),
    currency TEXT NOT NULL,
    unit_amount BIGINT NOT NULL,
    billing_interval TEXT,
    stripe_price_id TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX prices_scope ON prices(tenant_id, environment, id);
CREATE INDEX prices_product ON prices(tenant_id, environment, product_id);
