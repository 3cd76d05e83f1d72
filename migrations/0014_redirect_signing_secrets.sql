-- The secret a checkout's signed redirect is keyed with (API.md §10), one per tenant and
-- environment, encrypted at rest. A rotation keeps the previous secret verifying until
-- `previous_until`.
CREATE TABLE redirect_signing_secrets (
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    secret_enc TEXT NOT NULL,
    previous_enc TEXT,
    previous_until BIGINT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, environment)
);
