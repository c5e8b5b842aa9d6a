-- Customer identity becomes the registrable domain of the website (eTLD+1
-- by the Public Suffix List, SPEC §3): app.example.com and example.com are
-- one customer, for the one-open-intake rule, the one-open-record-per-pool
-- rule and the stacked ceiling alike.
--
-- SQL cannot read the Public Suffix List. The migrator
-- (stageRegistrableDomains in internal/postgres/identity.go) fills the
-- temporary table registrable_domains (stored, registrable) in this same
-- transaction just before this file runs; run by hand, the file stops at
-- its first UPDATE.
--
-- Recomputing can leave one customer with two open intakes, or two open
-- records of one pool. The migration changes no status and withdraws
-- nothing: those rows belong to founders and partners, some are under
-- review with AWS, and a migration tells nobody. Instead the oldest open
-- row keeps the customer's place in the unique index, and each later one
-- is marked duplicate_of it, left out of the index, and kept for an admin
-- to resolve (docs/operations.md, "Customer identity"). While a marked row
-- is open, a guard refuses a new intake (or record) for that customer just
-- as the index would, so the rule holds for everything submitted from now
-- on even after the oldest row ends.

ALTER TABLE intakes ADD COLUMN duplicate_of uuid REFERENCES intakes(id);
ALTER TABLE ace_records ADD COLUMN duplicate_of uuid REFERENCES ace_records(id);

DROP INDEX intakes_open_domain;
DROP INDEX ace_records_open_pool;

-- updated_at is left alone: the customer did not change, and the hygiene
-- flags and the routing sweep read it.
UPDATE intakes i SET customer_domain = r.registrable
  FROM registrable_domains r
 WHERE i.customer_domain = r.stored AND r.registrable <> r.stored;
UPDATE ace_records a SET customer_domain = r.registrable
  FROM registrable_domains r
 WHERE a.customer_domain = r.stored AND r.registrable <> r.stored;

UPDATE intakes i SET duplicate_of = o.kept
  FROM (SELECT id, first_value(id) OVER (PARTITION BY customer_domain ORDER BY created_at, id) AS kept
          FROM intakes WHERE status NOT IN ('withdrawn','closed')) o
 WHERE i.id = o.id AND o.id <> o.kept;
UPDATE ace_records a SET duplicate_of = o.kept
  FROM (SELECT id, first_value(id) OVER (PARTITION BY customer_domain, funding_source ORDER BY created_at, id) AS kept
          FROM ace_records WHERE state NOT IN ('rejected','withdrawn','closed')) o
 WHERE a.id = o.id AND o.id <> o.kept;

-- At most one open intake per customer (SPEC §3), marked rows aside.
CREATE UNIQUE INDEX intakes_open_domain ON intakes (customer_domain)
    WHERE status NOT IN ('withdrawn','closed') AND duplicate_of IS NULL;
-- A customer has at most one open record per funding source, marked rows aside.
CREATE UNIQUE INDEX ace_records_open_pool ON ace_records (customer_domain, funding_source)
    WHERE state NOT IN ('rejected','withdrawn','closed') AND duplicate_of IS NULL;

-- The open marked rows, for the guards and for admins resolving them.
CREATE INDEX intakes_open_duplicates ON intakes (customer_domain)
    WHERE duplicate_of IS NOT NULL AND status NOT IN ('withdrawn','closed');
CREATE INDEX ace_records_open_duplicates ON ace_records (customer_domain, funding_source)
    WHERE duplicate_of IS NOT NULL AND state NOT IN ('rejected','withdrawn','closed');

-- The guards raise the unique violation of the index they stand in for, so
-- storage reads them as that rule (duplicate_intake, or the pool conflict).
CREATE FUNCTION intakes_guard_open_duplicates() RETURNS trigger AS $$
BEGIN
    PERFORM 1 FROM intakes
     WHERE customer_domain = NEW.customer_domain
       AND duplicate_of IS NOT NULL AND status NOT IN ('withdrawn','closed');
    IF FOUND THEN
        RAISE EXCEPTION 'customer % already has an open intake', NEW.customer_domain
            USING ERRCODE = '23505', CONSTRAINT = 'intakes_open_domain';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE FUNCTION ace_records_guard_open_duplicates() RETURNS trigger AS $$
BEGIN
    PERFORM 1 FROM ace_records
     WHERE customer_domain = NEW.customer_domain AND funding_source = NEW.funding_source
       AND duplicate_of IS NOT NULL AND state NOT IN ('rejected','withdrawn','closed');
    IF FOUND THEN
        RAISE EXCEPTION 'customer % already has an open % record', NEW.customer_domain, NEW.funding_source
            USING ERRCODE = '23505', CONSTRAINT = 'ace_records_open_pool';
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

-- Marked rows come only from this migration, so a database without them
-- (every new one) never needs the guards, and submissions do not pay for
-- a trigger there.
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM intakes WHERE duplicate_of IS NOT NULL) THEN
        CREATE TRIGGER intakes_guard_open_duplicates BEFORE INSERT ON intakes
            FOR EACH ROW EXECUTE FUNCTION intakes_guard_open_duplicates();
    END IF;
    IF EXISTS (SELECT 1 FROM ace_records WHERE duplicate_of IS NOT NULL) THEN
        CREATE TRIGGER ace_records_guard_open_duplicates BEFORE INSERT ON ace_records
            FOR EACH ROW EXECUTE FUNCTION ace_records_guard_open_duplicates();
    END IF;
END $$;
