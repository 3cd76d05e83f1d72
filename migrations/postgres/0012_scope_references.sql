-- A row may reference only rows of its own tenant and environment: the schema refuses a
-- cross-scope reference even if a service forgot to check (composite foreign keys; SQLite
-- does the same with triggers).

ALTER TABLE coupons ADD CONSTRAINT coupons_scope_id UNIQUE (tenant_id, environment, id);
ALTER TABLE presentation_schemas ADD CONSTRAINT presentation_schemas_scope_id UNIQUE (tenant_id, environment, id);
ALTER TABLE products ADD CONSTRAINT products_scope_id UNIQUE (tenant_id, environment, id);
ALTER TABLE redemption_methods ADD CONSTRAINT redemption_methods_scope_id UNIQUE (tenant_id, environment, id);
ALTER TABLE webhook_endpoints ADD CONSTRAINT webhook_endpoints_scope_id UNIQUE (tenant_id, environment, id);
ALTER TABLE webhook_messages ADD CONSTRAINT webhook_messages_scope_id UNIQUE (tenant_id, environment, id);
ALTER TABLE prices ADD CONSTRAINT prices_product_id_scope FOREIGN KEY (tenant_id, environment, product_id) REFERENCES products (tenant_id, environment, id);
ALTER TABLE offers ADD CONSTRAINT offers_method_id_scope FOREIGN KEY (tenant_id, environment, method_id) REFERENCES redemption_methods (tenant_id, environment, id);
ALTER TABLE workflow_versions ADD CONSTRAINT workflow_versions_method_id_scope FOREIGN KEY (tenant_id, environment, method_id) REFERENCES redemption_methods (tenant_id, environment, id);
ALTER TABLE experiences ADD CONSTRAINT experiences_schema_id_scope FOREIGN KEY (tenant_id, environment, schema_id) REFERENCES presentation_schemas (tenant_id, environment, id);
ALTER TABLE coupon_redemptions ADD CONSTRAINT coupon_redemptions_coupon_id_scope FOREIGN KEY (tenant_id, environment, coupon_id) REFERENCES coupons (tenant_id, environment, id);
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_message_id_scope FOREIGN KEY (tenant_id, environment, message_id) REFERENCES webhook_messages (tenant_id, environment, id);
ALTER TABLE webhook_deliveries ADD CONSTRAINT webhook_deliveries_endpoint_id_scope FOREIGN KEY (tenant_id, environment, endpoint_id) REFERENCES webhook_endpoints (tenant_id, environment, id);

CREATE FUNCTION offer_prices_same_scope() RETURNS trigger AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM offers o JOIN prices p ON p.tenant_id = o.tenant_id AND p.environment = o.environment
                   WHERE o.id = NEW.offer_id AND p.id = NEW.price_id) THEN
        RAISE EXCEPTION 'cross-scope reference: offer_prices';
    END IF;
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
CREATE TRIGGER offer_prices_scope BEFORE INSERT OR UPDATE ON offer_prices FOR EACH ROW EXECUTE FUNCTION offer_prices_same_scope();
