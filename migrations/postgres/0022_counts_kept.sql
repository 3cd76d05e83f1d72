-- Keeps coupon_campaign_counts (0021) exact: every change of a coupon's usability, redemptions
-- or campaign moves its contribution, in the statement's own transaction.
CREATE FUNCTION coupons_counted() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' AND OLD.status <> 'pending' THEN
        UPDATE coupon_campaign_counts SET coupons = coupons - 1, redemptions = redemptions - OLD.times_redeemed
        WHERE tenant_id = OLD.tenant_id AND environment = OLD.environment AND campaign = COALESCE(OLD.campaign, '');
    END IF;
    IF TG_OP <> 'DELETE' AND NEW.status <> 'pending' THEN
        INSERT INTO coupon_campaign_counts (tenant_id, environment, campaign, coupons, redemptions)
        VALUES (NEW.tenant_id, NEW.environment, COALESCE(NEW.campaign, ''), 1, NEW.times_redeemed)
        ON CONFLICT (tenant_id, environment, campaign) DO UPDATE
        SET coupons = coupon_campaign_counts.coupons + 1, redemptions = coupon_campaign_counts.redemptions + excluded.redemptions;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER coupons_counted AFTER INSERT OR DELETE OR UPDATE OF status, times_redeemed, campaign ON coupons
    FOR EACH ROW EXECUTE FUNCTION coupons_counted();

-- A period of a subject's counters read from the index alone (SQLite stores the table in key
-- order instead, see its 0022): one contiguous range, no heap page per 15-minute cell.
CREATE INDEX analytics_counters_sums ON analytics_counters (tenant_id, environment, subject, bucket) INCLUDE (metric, currency, n, revenue, discount);
