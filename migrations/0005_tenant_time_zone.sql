-- The tenant's time zone (IANA name): dashboard times such as offer validity windows are typed in it.
ALTER TABLE tenants ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
