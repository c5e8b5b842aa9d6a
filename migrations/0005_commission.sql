-- The commission ledger and monthly statements.

CREATE TABLE statements (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    partner_id   uuid NOT NULL REFERENCES partners(id),
    month        date NOT NULL CHECK (extract(day FROM month) = 1),
    state        text NOT NULL DEFAULT 'open' CHECK (state IN ('open','invoiced','paid')),
    -- set when the month has been closed; later accruals go to the next open statement
    closed_at    timestamptz,
    total_cents  bigint NOT NULL DEFAULT 0,
    reference    text,
    invoiced_at  timestamptz,
    paid_at      timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (partner_id, month),
    CHECK (state = 'open' OR closed_at IS NOT NULL),
    CHECK (state <> 'paid' OR invoiced_at IS NOT NULL)
);

CREATE TABLE commission_entries (
    id             bigserial PRIMARY KEY,
    partner_id     uuid NOT NULL REFERENCES partners(id),
    kind           text NOT NULL CHECK (kind IN ('accrual','adjustment')),
    -- exactly one accrual per closed record
    ace_record_id  uuid UNIQUE REFERENCES ace_records(id),
    amount_cents   bigint NOT NULL,
    approved_usd   bigint,
    commission_bps integer CHECK (commission_bps BETWEEN 0 AND 10000),
    reason         text,
    actor_key_id   uuid REFERENCES api_keys(id),
    statement_id   uuid NOT NULL REFERENCES statements(id),
    occurred_at    timestamptz NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((kind = 'accrual') = (ace_record_id IS NOT NULL)),
    CHECK (kind <> 'accrual' OR (amount_cents >= 0 AND approved_usd IS NOT NULL AND commission_bps IS NOT NULL)),
    CHECK (kind <> 'adjustment' OR (reason IS NOT NULL AND length(reason) > 0))
);
CREATE INDEX commission_entries_statement ON commission_entries (statement_id);
CREATE INDEX commission_entries_partner ON commission_entries (partner_id, occurred_at);

CREATE TABLE statement_events (
    id           bigserial PRIMARY KEY,
    statement_id uuid NOT NULL REFERENCES statements(id),
    from_state   text NOT NULL,
    to_state     text NOT NULL,
    reference    text,
    actor_key_id uuid REFERENCES api_keys(id),
    at           timestamptz NOT NULL DEFAULT now()
);
