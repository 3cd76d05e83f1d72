-- Presentation schemas, experiences and surfaces. Structured parts are JSON text (read whole,
-- validated in the service layer). Offer tokens live for the tenant's chosen time.
CREATE TABLE presentation_schemas (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    name TEXT NOT NULL,
    fields TEXT NOT NULL,
    offer_slots TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX presentation_schemas_scope ON presentation_schemas(tenant_id, environment, id);

CREATE TABLE experiences (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    html TEXT,
    schema_id TEXT,
    content TEXT NOT NULL,
    offers TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX experiences_scope ON experiences(tenant_id, environment, id);

CREATE TABLE surfaces (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    name TEXT NOT NULL,
    slug TEXT NOT NULL,
    slots TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, environment, slug)
);

ALTER TABLE tenants ADD COLUMN offer_token_ttl_seconds BIGINT NOT NULL DEFAULT 1800;
