-- Campaigns for marketers: offers join campaigns like coupons do, coupon codes can be made in
-- batches (generated in the background, or imported), and every counted event also adds to a
-- rolled-up counter so a campaign page over millions of events reads a few thousand rows.

ALTER TABLE offers ADD COLUMN campaign TEXT;

-- A code made by a batch names it; `pending` codes (a batch still being generated) are not
-- usable, listed or counted until the batch completes and they turn `active` together.
ALTER TABLE coupons ADD COLUMN batch_id TEXT;
CREATE INDEX coupons_batch ON coupons (batch_id, code);
CREATE INDEX coupons_top ON coupons (tenant_id, environment, campaign, times_redeemed);

CREATE TABLE coupon_batches (
    id TEXT PRIMARY KEY,
    tenant_id TEXT NOT NULL REFERENCES tenants(id),
    environment TEXT NOT NULL,
    -- generate | import
    kind TEXT NOT NULL,
    campaign TEXT NOT NULL,
    -- e.g. BF26-????-???? (generate only)
    template TEXT,
    requested BIGINT NOT NULL,
    generated BIGINT NOT NULL DEFAULT 0,
    -- The shared rules (type, amount, currency, repeat, limits, start, expiry) as JSON.
    rules TEXT NOT NULL,
    -- queued | running | completed | failed
    status TEXT NOT NULL,
    error TEXT,
    stripe_coupon_id TEXT,
    -- A worker holds the batch until then (a restarted or second node takes it over after).
    claimed_until BIGINT NOT NULL DEFAULT 0,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    completed_at BIGINT
);
CREATE INDEX coupon_batches_scope ON coupon_batches (tenant_id, environment, created_at);
CREATE INDEX coupon_batches_due ON coupon_batches (status, claimed_until);
-- One batch in progress per tenant and environment (the database decides between two creates).
CREATE UNIQUE INDEX coupon_batches_one_in_progress ON coupon_batches (tenant_id, environment) WHERE status IN ('queued', 'running');

-- Rolled-up counts per subject (campaign:<name>, offer:<id>, coupons), metric (presented,
-- redeemed, checkouts, signups, coupons), currency (for amounts; '' otherwise) and 15-minute
-- UTC bucket (every time zone's offset is a multiple of 15 minutes, so local days and weeks are
-- exact sums of buckets). Written in the same transaction as the event they count.
CREATE TABLE analytics_counters (
    tenant_id TEXT NOT NULL,
    environment TEXT NOT NULL,
    subject TEXT NOT NULL,
    metric TEXT NOT NULL,
    currency TEXT NOT NULL,
    bucket BIGINT NOT NULL,
    n BIGINT NOT NULL,
    revenue BIGINT NOT NULL,
    discount BIGINT NOT NULL,
    -- Bucket before metric: a period is one range of the key, whatever the subject's history.
    PRIMARY KEY (tenant_id, environment, subject, bucket, metric, currency)
);

-- What was recorded before this version, counted once.
INSERT INTO analytics_counters (tenant_id, environment, subject, metric, currency, bucket, n, revenue, discount)
SELECT tenant_id, environment, 'offer:' || offer_id, 'presented', '', created_at - (created_at % 900000), COUNT(*), 0, 0
FROM impressions GROUP BY tenant_id, environment, offer_id, created_at - (created_at % 900000);

INSERT INTO analytics_counters (tenant_id, environment, subject, metric, currency, bucket, n, revenue, discount)
SELECT tenant_id, environment, 'offer:' || offer_id, 'redeemed', '', created_at - (created_at % 900000), COUNT(*), 0, 0
FROM events WHERE event_type = 'offer.redemption' AND status = 'succeeded' AND offer_id IS NOT NULL
GROUP BY tenant_id, environment, offer_id, created_at - (created_at % 900000);

INSERT INTO analytics_counters (tenant_id, environment, subject, metric, currency, bucket, n, revenue, discount)
SELECT r.tenant_id, r.environment, 'coupons', 'coupons', '', r.created_at - (r.created_at % 900000), COUNT(*), 0, 0
FROM coupon_redemptions r GROUP BY r.tenant_id, r.environment, r.created_at - (r.created_at % 900000);

INSERT INTO analytics_counters (tenant_id, environment, subject, metric, currency, bucket, n, revenue, discount)
SELECT r.tenant_id, r.environment, 'campaign:' || c.campaign, 'coupons', '', r.created_at - (r.created_at % 900000), COUNT(*), 0, 0
FROM coupon_redemptions r JOIN coupons c ON c.id = r.coupon_id WHERE c.campaign IS NOT NULL
GROUP BY r.tenant_id, r.environment, c.campaign, r.created_at - (r.created_at % 900000);

INSERT INTO analytics_counters (tenant_id, environment, subject, metric, currency, bucket, n, revenue, discount)
SELECT s.tenant_id, s.environment, 'campaign:' || c.campaign, 'checkouts', s.currency, s.completed_at - (s.completed_at % 900000), COUNT(*),
       SUM(s.amount_total), SUM(s.amount_discount)
FROM checkout_sessions s JOIN coupons c ON c.id = s.coupon_id WHERE s.status = 'completed' AND s.completed_at IS NOT NULL AND c.campaign IS NOT NULL
GROUP BY s.tenant_id, s.environment, c.campaign, s.currency, s.completed_at - (s.completed_at % 900000);

INSERT INTO analytics_counters (tenant_id, environment, subject, metric, currency, bucket, n, revenue, discount)
SELECT s.tenant_id, s.environment, 'campaign:' || c.campaign, 'signups', s.currency, s.finalized_at - (s.finalized_at % 900000), COUNT(*),
       SUM(s.amount), SUM(s.amount_discount)
FROM signup_carts s JOIN coupons c ON c.id = s.coupon_id WHERE s.state = 'FINALIZED' AND s.finalized_at IS NOT NULL AND c.campaign IS NOT NULL
GROUP BY s.tenant_id, s.environment, c.campaign, s.currency, s.finalized_at - (s.finalized_at % 900000);
