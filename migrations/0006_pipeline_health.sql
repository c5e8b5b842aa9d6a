-- Pipeline hygiene (seed 000): flags raised by the daily scan, the settings
-- behind them, and the monthly snapshot of each partner's pipeline.

ALTER TABLE settings
    ADD COLUMN stale_days              integer NOT NULL DEFAULT 30 CHECK (stale_days BETWEEN 1 AND 365),
    ADD COLUMN stuck_identified_days   integer NOT NULL DEFAULT 60 CHECK (stuck_identified_days BETWEEN 1 AND 365),
    ADD COLUMN follow_up_business_days integer NOT NULL DEFAULT 5 CHECK (follow_up_business_days BETWEEN 1 AND 60),
    ADD COLUMN outcome_grace_days      integer NOT NULL DEFAULT 7 CHECK (outcome_grace_days BETWEEN 0 AND 90),
    ADD COLUMN cadence_weeks           integer NOT NULL DEFAULT 12 CHECK (cadence_weeks BETWEEN 4 AND 52),
    ADD COLUMN batch_quiet_weeks       integer NOT NULL DEFAULT 8 CHECK (batch_quiet_weeks BETWEEN 1 AND 52),
    ADD COLUMN batch_week_min          integer NOT NULL DEFAULT 20 CHECK (batch_week_min BETWEEN 2 AND 1000);

CREATE TABLE hygiene_flags (
    id            bigserial PRIMARY KEY,
    partner_id    uuid NOT NULL REFERENCES partners(id),
    kind          text NOT NULL CHECK (kind IN ('stale','close_date_expired','stuck_identified','follow_up_overdue','outcome_missing')),
    ace_record_id uuid REFERENCES ace_records(id),
    assignment_id uuid REFERENCES assignments(id),
    raised_at     timestamptz NOT NULL,
    cleared_at    timestamptz,
    CHECK ((ace_record_id IS NULL) <> (assignment_id IS NULL)),
    CHECK (cleared_at IS NULL OR cleared_at >= raised_at)
);
-- One open flag of a kind per record or assignment.
CREATE UNIQUE INDEX hygiene_flags_open_record ON hygiene_flags (kind, ace_record_id)
    WHERE cleared_at IS NULL AND ace_record_id IS NOT NULL;
CREATE UNIQUE INDEX hygiene_flags_open_assignment ON hygiene_flags (kind, assignment_id)
    WHERE cleared_at IS NULL AND assignment_id IS NOT NULL;
CREATE INDEX hygiene_flags_partner_open ON hygiene_flags (partner_id) WHERE cleared_at IS NULL;

-- Written once when a UTC month ends, never changed afterwards.
CREATE TABLE partner_snapshots (
    partner_id uuid NOT NULL REFERENCES partners(id),
    month      date NOT NULL CHECK (extract(day FROM month) = 1),
    data       jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (partner_id, month)
);

CREATE FUNCTION partner_snapshots_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'partner snapshots are never changed' USING ERRCODE = '23514';
END $$ LANGUAGE plpgsql;
CREATE TRIGGER partner_snapshots_immutable BEFORE UPDATE ON partner_snapshots
    FOR EACH ROW EXECUTE FUNCTION partner_snapshots_immutable();

CREATE INDEX ace_records_submitted ON ace_records (partner_id, submitted_at) WHERE submitted_at IS NOT NULL;
