-- Browser origins allowed to call an environment's publishable-key endpoints (API.md §13).
CREATE TABLE allowed_origins (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    origin TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, environment, origin)
);
CREATE INDEX allowed_origins_origin ON allowed_origins (origin);
