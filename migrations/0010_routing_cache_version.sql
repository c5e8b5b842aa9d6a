-- A version of what routing caches in memory (partner attributes, window
-- statistics, index cells). Every change to them bumps it; a router
-- reloads its snapshot when the version it holds is not the current one.
-- The columns that change with every offer (open_assignments,
-- last_offered_at) are not cached and do not bump it.
CREATE TABLE routing_cache_version (
    id      boolean PRIMARY KEY DEFAULT true CHECK (id),
    version bigint NOT NULL DEFAULT 0
);
INSERT INTO routing_cache_version DEFAULT VALUES;

CREATE FUNCTION bump_routing_cache() RETURNS trigger AS $$
BEGIN
    UPDATE routing_cache_version SET version = version + 1;
    RETURN NULL;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER routing_index_bump AFTER INSERT OR UPDATE OR DELETE ON routing_index
    FOR EACH STATEMENT EXECUTE FUNCTION bump_routing_cache();
CREATE TRIGGER partner_stats_bump AFTER INSERT OR UPDATE OR DELETE ON partner_stats
    FOR EACH STATEMENT EXECUTE FUNCTION bump_routing_cache();
CREATE TRIGGER partners_bump AFTER INSERT OR DELETE ON partners
    FOR EACH STATEMENT EXECUTE FUNCTION bump_routing_cache();
CREATE TRIGGER partners_bump_update AFTER UPDATE OF name, tier, status, regions, capacity, excluded_axis_values ON partners
    FOR EACH STATEMENT EXECUTE FUNCTION bump_routing_cache();
