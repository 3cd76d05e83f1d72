-- A row may reference only rows of its own tenant and environment: the schema refuses a
-- cross-scope reference even if a service forgot to check (SQLite cannot add foreign keys to
-- existing tables, so triggers do it here; PostgreSQL uses composite foreign keys).

CREATE TRIGGER prices_product_id_scope_insert BEFORE INSERT ON prices
WHEN NEW.product_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM products p WHERE p.id = NEW.product_id AND p.tenant_id = NEW.tenant_id AND p.environment = NEW.environment)
BEGIN SELECT RAISE(ABORT, 'cross-scope reference: prices.product_id'); END;
CREATE TRIGGER prices_product_id_scope_update BEFORE UPDATE OF product_id, tenant_id, environment ON prices
WHEN NEW.product_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM products p WHERE p.id = NEW.product_id AND p.tenant_id = NEW.tenant_id AND p.environment = NEW.environment)
BEGIN SELECT RAISE(ABORT, 'cross-scope reference: prices.product_id'); END;
CREATE TRIGGER offers_method_id_scope_insert BEFORE INSERT ON offers
WHEN NEW.method_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM redemption_methods p WHERE p.id = NEW.method_id AND p.tenant_id = NEW.tenant_id AND p.environment = NEW.environment)
BEGIN SELECT RAISE(ABORT, 'cross-scope reference: offers.method_id'); END;
CREATE TRIGGER offers_method_id_scope_update BEFORE UPDATE OF method_id, tenant_id, environment ON offers
WHEN NEW.method_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM redemption_methods p WHERE p.id = NEW.method_id AND p.tenant_id = NEW.tenant_id AND p.environment = NEW.environment)
BEGIN SELECT RAISE(ABORT, 'cross-scope reference: offers.method_id'); END;
CREATE TRIGGER workflow_versions_method_id_scope_insert BEFORE INSERT ON workflow_versions
WHEN NEW.method_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM redemption_methods p WHERE p.id = NEW.method_id AND p.tenant_id = NEW.tenant_id AND p.environment = NEW.environment)
BEGIN SELECT RAISE(ABORT, 'cross-scope reference: workflow_versions.method_id'); END;
CREATE TRIGGER workflow_versions_method_id_scope_update BEFORE UPDATE OF method_id, tenant_id, environment ON workflow_versions
WHEN NEW.method_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM redemption_methods p WHERE p.id = NEW.method_id AND p.tenant_id = NEW.tenant_id AND p.environment = NEW.environment)
BEGIN SELECT RAISE(ABORT, 'cross-scope reference: workflow_versions.method_id'); END;
CREATE TRIGGER experiences_schema_id_scope_insert BEFORE INSERT ON experiences
WHEN NEW.schema_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM presentation_schemas p WHERE p.id = NEW.schema_id AND p.tenant_id = NEW.tenant_id AND p.environment = NEW.environment)
BEGIN SELECT RAISE(ABORT, 'cross-scope reference: experiences.schema_id'); END;
CREATE TRIGGER experiences_schema_id_scope_update BEFORE UPDATE OF schema_id, tenant_id, environment ON experiences
WHEN NEW.schema_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM presentation_schemas p WHERE p.id = NEW.schema_id AND p.tenant_id = NEW.tenant_id AND p.environment = NEW.environment)
BEGIN SELECT RAISE(ABORT, 'cross-scope reference: experiences.schema_id'); END;
CREATE TRIGGER coupon_redemptions_coupon_id_scope_insert BEFORE INSERT ON coupon_redemptions
WHEN NEW.coupon_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM coupons p WHERE p.id = NEW.coupon_id AND p.tenant_id = NEW.tenant_id AND p.environment = NEW.environment)
BEGIN SELECT RAISE(ABORT, 'cross-scope reference: coupon_redemptions.coupon_id'); END;
CREATE TRIGGER coupon_redemptions_coupon_id_scope_update BEFORE UPDATE OF coupon_id, tenant_id, environment ON coupon_redemptions
WHEN NEW.coupon_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM coupons p WHERE p.id = NEW.coupon_id AND p.tenant_id = NEW.tenant_id AND p.environment = NEW.environment)
BEGIN SELECT RAISE(ABORT, 'cross-scope reference: coupon_redemptions.coupon_id'); END;
CREATE TRIGGER webhook_deliveries_message_id_scope_insert BEFORE INSERT ON webhook_deliveries
WHEN NEW.message_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM webhook_messages p WHERE p.id = NEW.message_id AND p.tenant_id = NEW.tenant_id AND p.environment = NEW.environment)
BEGIN SELECT RAISE(ABORT, 'cross-scope reference: webhook_deliveries.message_id'); END;
CREATE TRIGGER webhook_deliveries_message_id_scope_update BEFORE UPDATE OF message_id, tenant_id, environment ON webhook_deliveries
WHEN NEW.message_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM webhook_messages p WHERE p.id = NEW.message_id AND p.tenant_id = NEW.tenant_id AND p.environment = NEW.environment)
BEGIN SELECT RAISE(ABORT, 'cross-scope reference: webhook_deliveries.message_id'); END;
CREATE TRIGGER webhook_deliveries_endpoint_id_scope_insert BEFORE INSERT ON webhook_deliveries
WHEN NEW.endpoint_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM webhook_endpoints p WHERE p.id = NEW.endpoint_id AND p.tenant_id = NEW.tenant_id AND p.environment = NEW.environment)
BEGIN SELECT RAISE(ABORT, 'cross-scope reference: webhook_deliveries.endpoint_id'); END;
CREATE TRIGGER webhook_deliveries_endpoint_id_scope_update BEFORE UPDATE OF endpoint_id, tenant_id, environment ON webhook_deliveries
WHEN NEW.endpoint_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM webhook_endpoints p WHERE p.id = NEW.endpoint_id AND p.tenant_id = NEW.tenant_id AND p.environment = NEW.environment)
BEGIN SELECT RAISE(ABORT, 'cross-scope reference: webhook_deliveries.endpoint_id'); END;
CREATE TRIGGER offer_prices_scope_insert BEFORE INSERT ON offer_prices
WHEN NOT EXISTS (SELECT 1 FROM offers o JOIN prices p ON p.tenant_id = o.tenant_id AND p.environment = o.environment WHERE o.id = NEW.offer_id AND p.id = NEW.price_id)
BEGIN SELECT RAISE(ABORT, 'cross-scope reference: offer_prices'); END;
CREATE TRIGGER offer_prices_scope_update BEFORE UPDATE ON offer_prices
WHEN NOT EXISTS (SELECT 1 FROM offers o JOIN prices p ON p.tenant_id = o.tenant_id AND p.environment = o.environment WHERE o.id = NEW.offer_id AND p.id = NEW.price_id)
BEGIN SELECT RAISE(ABORT, 'cross-scope reference: offer_prices'); END;
