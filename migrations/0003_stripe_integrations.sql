-- One Stripe integration per tenant and environment. Keys are encrypted at rest
-- (XChaCha20-Poly1305, see server/secrets.rs); only the last four characters are kept in clear.
CREATE TABLE stripe_integrations (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    secret_key_enc TEXT NOT NULL,
    secret_key_last4 TEXT NOT NULL,
    secret_key_prefix TEXT NOT NULL,
    webhook_secret_enc TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (tenant_id, environment)
);
