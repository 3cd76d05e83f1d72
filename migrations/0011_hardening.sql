-- Idempotency records belong to the key that made them (another key of the same tenant and
-- environment has its own key space and never sees them) and expire after 24 hours.
DROP TABLE idempotency_keys;
CREATE TABLE idempotency_keys (
    tenant_id TEXT NOT NULL,
    environment TEXT NOT NULL,
    principal TEXT NOT NULL,
    idem_key TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status_code BIGINT NOT NULL,
    response_body TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, environment, principal, idem_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- Sign-in throttling: one counter per key (`email:…`, `pair:<email>|<address>`, `addr:…`) and
-- fixed window, counted up atomically before the password is checked.
DROP TABLE login_failures;
CREATE TABLE login_throttle (
    throttle_key TEXT PRIMARY KEY,
    window_start BIGINT NOT NULL,
    attempts BIGINT NOT NULL
);
CREATE INDEX login_throttle_window ON login_throttle (window_start);

-- Sessions signed in before this instant (a password reset) are over.
ALTER TABLE users ADD COLUMN sessions_valid_after BIGINT NOT NULL DEFAULT 0;
