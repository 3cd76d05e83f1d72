-- A product's default return URLs for checkout sessions (API.md §10): a session's own
-- successUrl/cancelUrl override them. Empty means none.
ALTER TABLE products ADD COLUMN success_url TEXT NOT NULL DEFAULT '';
ALTER TABLE products ADD COLUMN cancel_url TEXT NOT NULL DEFAULT '';
