-- Keeps coupon_campaign_counts (0021) exact: every change of a coupon's usability, redemptions
-- or campaign moves its contribution, in the statement's own transaction.
CREATE TRIGGER coupons_counted_insert AFTER INSERT ON coupons WHEN NEW.status <> 'pending'
BEGIN
    INSERT INTO coupon_campaign_counts (tenant_id, environment, campaign, coupons, redemptions)
    VALUES (NEW.tenant_id, NEW.environment, COALESCE(NEW.campaign, ''), 1, NEW.times_redeemed)
    ON CONFLICT (tenant_id, environment, campaign) DO UPDATE SET coupons = coupons + 1, redemptions = redemptions + excluded.redemptions;
END;

CREATE TRIGGER coupons_counted_update AFTER UPDATE OF status, times_redeemed, campaign ON coupons
BEGIN
    UPDATE coupon_campaign_counts SET coupons = coupons - 1, redemptions = redemptions - OLD.times_redeemed
    WHERE OLD.status <> 'pending' AND tenant_id = OLD.tenant_id AND environment = OLD.environment AND campaign = COALESCE(OLD.campaign, '');
    INSERT INTO coupon_campaign_counts (tenant_id, environment, campaign, coupons, redemptions)
    SELECT NEW.tenant_id, NEW.environment, COALESCE(NEW.campaign, ''), 1, NEW.times_redeemed WHERE NEW.status <> 'pending'
    ON CONFLICT (tenant_id, environment, campaign) DO UPDATE SET coupons = coupons + 1, redemptions = redemptions + excluded.redemptions;
END;

CREATE TRIGGER coupons_counted_delete AFTER DELETE ON coupons WHEN OLD.status <> 'pending'
BEGIN
    UPDATE coupon_campaign_counts SET coupons = coupons - 1, redemptions = redemptions - OLD.times_redeemed
    WHERE tenant_id = OLD.tenant_id AND environment = OLD.environment AND campaign = COALESCE(OLD.campaign, '');
END;

-- Coupon lists are newest id first (PostgreSQL has this index from 0012's unique constraint).
CREATE INDEX coupons_page ON coupons (tenant_id, environment, id);

-- The counters stored in their key's order (a clustered table): a period of a subject is one
-- contiguous range, read without a lookup per row.
CREATE TABLE analytics_counters_by_key (
    tenant_id TEXT NOT NULL,
    environment TEXT NOT NULL,
    subject TEXT NOT NULL,
    metric TEXT NOT NULL,
    currency TEXT NOT NULL,
    bucket BIGINT NOT NULL,
    n BIGINT NOT NULL,
    revenue BIGINT NOT NULL,
    discount BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, environment, subject, bucket, metric, currency)
) WITHOUT ROWID;
INSERT INTO analytics_counters_by_key SELECT tenant_id, environment, subject, metric, currency, bucket, n, revenue, discount FROM analytics_counters;
DROP TABLE analytics_counters;
ALTER TABLE analytics_counters_by_key RENAME TO analytics_counters;
