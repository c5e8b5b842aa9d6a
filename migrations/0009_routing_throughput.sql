-- Routing throughput: a partner's open (offered or accepted) assignments are
-- counted on its row by a trigger, so routing reads one number instead of
-- counting assignments, and the capacity check holds the partner's row only
-- at the very end of the offer's transaction.
ALTER TABLE partners ADD COLUMN open_assignments integer NOT NULL DEFAULT 0 CHECK (open_assignments >= 0);

UPDATE partners p SET open_assignments = (
    SELECT count(*) FROM assignments a WHERE a.partner_id = p.id AND a.status IN ('offered','accepted'));

CREATE FUNCTION assignments_count_open() RETURNS trigger AS $$
DECLARE
    was_open boolean := TG_OP = 'UPDATE' AND OLD.status IN ('offered','accepted');
    is_open  boolean := NEW.status IN ('offered','accepted');
BEGIN
    IF is_open AND NOT was_open THEN
        UPDATE partners SET open_assignments = open_assignments + 1 WHERE id = NEW.partner_id;
    ELSIF was_open AND NOT is_open THEN
        UPDATE partners SET open_assignments = open_assignments - 1 WHERE id = NEW.partner_id;
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER assignments_count_open AFTER INSERT OR UPDATE OF status ON assignments
    FOR EACH ROW EXECUTE FUNCTION assignments_count_open();

-- Explanations are large JSON documents; lz4 compresses them far faster.
ALTER TABLE routing_decisions ALTER COLUMN explanation SET COMPRESSION lz4;

-- Hot, churning tables are vacuumed early rather than at 20% dead rows.
ALTER TABLE outbox SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000,
    autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 1000);
ALTER TABLE partners SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 500);
ALTER TABLE intakes SET (autovacuum_vacuum_scale_factor = 0.05);
ALTER TABLE assignments SET (autovacuum_vacuum_scale_factor = 0.05);
