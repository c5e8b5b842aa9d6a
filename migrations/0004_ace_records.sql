-- ACE opportunity records and their history of moves.

CREATE TABLE ace_records (
    id                      uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    intake_id               uuid NOT NULL REFERENCES intakes(id),
    assignment_id           uuid NOT NULL,
    partner_id              uuid NOT NULL REFERENCES partners(id),
    customer_domain         text NOT NULL,
    funding_source          text NOT NULL CHECK (funding_source IN ('founders','portfolio','build_for_startups','bedrock_poc','map')),
    state                   text NOT NULL DEFAULT 'identified' CHECK (state IN
                                ('identified','submitted','validated','approved','launched','closed','rejected','withdrawn')),
    requested_usd           bigint NOT NULL CHECK (requested_usd >= 0),
    approved_usd            bigint CHECK (approved_usd >= 0),
    approved_funding_source text CHECK (approved_funding_source IN ('founders','portfolio','build_for_startups','bedrock_poc','map')),
    fields                  jsonb NOT NULL DEFAULT '{}',
    target_close_date       date,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    submitted_at            timestamptz,
    decided_at              timestamptz,
    closed_at               timestamptz,
    -- the record's partner is the partner of its assignment, for its intake
    FOREIGN KEY (assignment_id, partner_id, intake_id) REFERENCES assignments (id, partner_id, intake_id),
    CHECK (state NOT IN ('approved','launched','closed') OR approved_usd IS NOT NULL),
    CHECK (approved_usd IS NULL OR approved_usd <= 150000)
);
-- A customer has at most one open record per funding source (SPEC §3).
CREATE UNIQUE INDEX ace_records_open_pool ON ace_records (customer_domain, funding_source)
    WHERE state NOT IN ('rejected','withdrawn','closed');
CREATE INDEX ace_records_partner ON ace_records (partner_id, state);
CREATE INDEX ace_records_intake ON ace_records (intake_id);

-- Only the partner holding the accepted assignment may create a record or
-- move one forward (duplicate-filing protection, held in the database too).
-- Moves to rejected or withdrawn stay possible, so a released partner's
-- drafts can be closed out.
CREATE FUNCTION ace_records_require_accepted() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' OR (NEW.state IS DISTINCT FROM OLD.state AND NEW.state NOT IN ('rejected','withdrawn')) THEN
        PERFORM 1 FROM assignments
         WHERE id = NEW.assignment_id AND partner_id = NEW.partner_id AND status IN ('accepted','completed');
        IF NOT FOUND THEN
            RAISE EXCEPTION 'record % of partner % has no accepted assignment', NEW.id, NEW.partner_id
                USING ERRCODE = '23514', CONSTRAINT = 'ace_records_duplicate_filing';
        END IF;
    END IF;
    RETURN NEW;
END $$ LANGUAGE plpgsql;

CREATE TRIGGER ace_records_require_accepted BEFORE INSERT OR UPDATE ON ace_records
    FOR EACH ROW EXECUTE FUNCTION ace_records_require_accepted();

CREATE TABLE ace_record_transitions (
    id            bigserial PRIMARY KEY,
    ace_record_id uuid NOT NULL REFERENCES ace_records(id),
    from_state    text,
    to_state      text NOT NULL,
    actor_role    text NOT NULL CHECK (actor_role IN ('partner','admin','founder','system')),
    actor_key_id  uuid REFERENCES api_keys(id),
    reason        text,
    approved_usd  bigint,
    approved_funding_source text,
    at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ace_record_transitions_record ON ace_record_transitions (ace_record_id, id);
