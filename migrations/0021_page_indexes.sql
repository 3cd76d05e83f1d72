-- Dashboard pages at scale (100,000 coupons, 10,000 offers, 1,000,000 events in one scope).

-- Redemption events among a million decisions: the events page's type filter, and an offer's
-- successful redemptions and who made them. Partial, so recording a decision pays nothing.
CREATE INDEX events_redemptions ON events (tenant_id, environment, created_at) WHERE event_type = 'offer.redemption';
CREATE INDEX events_offer_redeemed ON events (tenant_id, environment, offer_id, created_at, identity)
    WHERE event_type = 'offer.redemption' AND status = 'succeeded';
CREATE INDEX offers_campaign ON offers (tenant_id, environment, campaign);

-- Usable coupons (not pending in a batch) and their redemptions per campaign tag ('' for
-- coupons without one), kept by triggers on coupons (0022) so the coupons and campaigns pages
-- read a row per campaign instead of counting every coupon.
CREATE TABLE coupon_campaign_counts (
    tenant_id TEXT NOT NULL,
    environment TEXT NOT NULL,
    campaign TEXT NOT NULL,
    coupons BIGINT NOT NULL,
    redemptions BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, environment, campaign)
);

INSERT INTO coupon_campaign_counts (tenant_id, environment, campaign, coupons, redemptions)
SELECT tenant_id, environment, COALESCE(campaign, ''), COUNT(*), SUM(times_redeemed)
FROM coupons WHERE status <> 'pending' GROUP BY tenant_id, environment, COALESCE(campaign, '');
