-- A partner whose engagement was released by an admin keeps the right to
-- launch and close an award it won while it held the engagement
-- (approved → launched → closed), so that no approved record is stranded:
-- it still closes, its commission accrues, and its pool frees up for the
-- next partner. Every other forward move still needs the accepted
-- assignment (duplicate-filing protection, docs/operations.md).
CREATE OR REPLACE FUNCTION ace_records_require_accepted() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' OR (NEW.state IS DISTINCT FROM OLD.state AND NEW.state NOT IN ('rejected','withdrawn')) THEN
        IF TG_OP = 'UPDATE' AND ((OLD.state = 'approved' AND NEW.state = 'launched')
                              OR (OLD.state = 'launched' AND NEW.state = 'closed')) THEN
            PERFORM 1 FROM assignments
             WHERE id = NEW.assignment_id AND partner_id = NEW.partner_id AND status IN ('accepted','completed','released');
        ELSE
            PERFORM 1 FROM assignments
             WHERE id = NEW.assignment_id AND partner_id = NEW.partner_id AND status IN ('accepted','completed');
        END IF;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'record % of partner % has no accepted assignment', NEW.id, NEW.partner_id
                USING ERRCODE = '23514', CONSTRAINT = 'ace_records_duplicate_filing';
        END IF;
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;
