-- A campaign's coupons page by index, newest first: (tenant, environment, campaign, id) instead
-- of (tenant, environment, campaign), whose rows come in no id order on PostgreSQL.
DROP INDEX coupons_campaign;
CREATE INDEX coupons_campaign ON coupons (tenant_id, environment, campaign, id);
