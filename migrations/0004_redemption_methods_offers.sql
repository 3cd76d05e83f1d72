-- Redemption methods with versioned workflows, and offers that use them.
CREATE TABLE redemption_methods (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    schema_kind TEXT NOT NULL,
    settings TEXT NOT NULL,
    status TEXT NOT NULL,
    current_version BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, environment, slug)
);
CREATE INDEX redemption_methods_scope ON redemption_methods(tenant_id, environment, id);

-- Every save is a new version; the method runs its latest valid one (current_version).
CREATE TABLE workflow_versions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL,
    environment TEXT NOT NULL,
    method_id TEXT NOT NULL REFERENCES redemption_methods(id),
    version BIGINT NOT NULL,
    source TEXT NOT NULL,
    compiled_js TEXT NOT NULL,
    source_map TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (method_id, version)
);

CREATE TABLE offers (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    name TEXT NOT NULL,
    method_id TEXT NOT NULL REFERENCES redemption_methods(id),
    presentation TEXT NOT NULL,
    instructions TEXT NOT NULL,
    valid_from BIGINT,
    valid_until BIGINT,
    audience TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX offers_scope ON offers(tenant_id, environment, id);

CREATE TABLE offer_prices (
    offer_id TEXT NOT NULL REFERENCES offers(id),
    price_id TEXT NOT NULL REFERENCES prices(id),
    position BIGINT NOT NULL,
    PRIMARY KEY (offer_id, price_id)
);
