-- Versions (API.md §14): preview configuration frozen into numbered versions and deployed to
-- live. A version's `config` is the JSON document of every object it carries, keyed by the
-- preview ids; `live_ids` maps each preview id to the one live id it becomes, for good (so live
-- events, statistics and tokens keep their ids across deploys and rollbacks).
ALTER TABLE prices ADD COLUMN live_stripe_price_id TEXT;
ALTER TABLE tenants ADD COLUMN live_version_id TEXT;

CREATE TABLE config_versions (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    number BIGINT NOT NULL,
    name TEXT NOT NULL,
    note TEXT NOT NULL,
    config TEXT NOT NULL,
    -- JSON {added, changed, removed}: against the version live when this one was frozen.
    summary TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (tenant_id, number)
);

CREATE TABLE version_deployments (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    version_id TEXT NOT NULL REFERENCES config_versions(id),
    from_version_id TEXT,
    -- JSON {added, changed, removed} of this deploy.
    summary TEXT NOT NULL,
    deployed_by TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX version_deployments_tenant ON version_deployments (tenant_id, created_at);

CREATE TABLE live_ids (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    preview_id TEXT NOT NULL,
    live_id TEXT NOT NULL UNIQUE,
    PRIMARY KEY (tenant_id, preview_id)
);
