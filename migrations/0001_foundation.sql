-- Partners, API keys, settings, the transactional outbox, periodic-job guard.

CREATE TABLE partners (
    id                   uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name                 text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    tier                 text NOT NULL CHECK (tier IN ('registered','select','advanced','premier')),
    regions              text[] NOT NULL CHECK (cardinality(regions) > 0
                             AND regions <@ ARRAY['us_east','us_west','uk','eu','mena','india','apac','brazil']),
    verticals            text[] NOT NULL DEFAULT '{}' CHECK (
                             verticals <@ ARRAY['fintech','healthtech','b2b_saas','ecommerce','deep_tech','gaming','other']),
    capacity             integer NOT NULL CHECK (capacity BETWEEN 0 AND 100000),
    commission_bps       integer NOT NULL CHECK (commission_bps BETWEEN 0 AND 10000),
    status               text NOT NULL DEFAULT 'active' CHECK (status IN ('active','paused')),
    contact_email        text NOT NULL CHECK (length(contact_email) BETWEEN 3 AND 254),
    excluded_axis_values jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(excluded_axis_values) = 'object'),
    last_offered_at      timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now(),
    updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX partners_created ON partners (created_at, id);

CREATE TABLE api_keys (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    role         text NOT NULL CHECK (role IN ('admin','partner')),
    partner_id   uuid REFERENCES partners(id),
    prefix       text NOT NULL,
    key_hash     bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    label        text NOT NULL DEFAULT '',
    created_at   timestamptz NOT NULL DEFAULT now(),
    revoked_at   timestamptz,
    CHECK ((role = 'partner') = (partner_id IS NOT NULL))
);
CREATE INDEX api_keys_partner ON api_keys (partner_id);

-- One row of business settings that admins change at run time.
CREATE TABLE settings (
    id                     boolean PRIMARY KEY DEFAULT true CHECK (id),
    routing_mode           text NOT NULL DEFAULT 'auto' CHECK (routing_mode IN ('auto','review')),
    close_rate_threshold   numeric(5,4) NOT NULL DEFAULT 0.70 CHECK (close_rate_threshold BETWEEN 0 AND 1),
    window_days            integer NOT NULL DEFAULT 365 CHECK (window_days BETWEEN 1 AND 3650),
    offer_ttl_hours        integer NOT NULL DEFAULT 48 CHECK (offer_ttl_hours BETWEEN 1 AND 720),
    default_commission_bps integer NOT NULL DEFAULT 1000 CHECK (default_commission_bps BETWEEN 0 AND 10000),
    updated_at             timestamptz NOT NULL DEFAULT now()
);
INSERT INTO settings DEFAULT VALUES;

CREATE TABLE settings_audit (
    id           bigserial PRIMARY KEY,
    actor_key_id uuid REFERENCES api_keys(id),
    field        text NOT NULL,
    old_value    text NOT NULL,
    new_value    text NOT NULL,
    changed_at   timestamptz NOT NULL DEFAULT now()
);

-- The transactional outbox: a job that must follow a database change is
-- written here in the same transaction and relayed to Redis by the worker.
CREATE TABLE outbox (
    id          bigserial PRIMARY KEY,
    task_type   text NOT NULL,
    payload     jsonb NOT NULL,
    process_at  timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    attempts    integer NOT NULL DEFAULT 0,
    last_error  text
);
CREATE INDEX outbox_unsent ON outbox (id) WHERE sent_at IS NULL;

-- Periodic jobs claim their period here, so a period runs once even when
-- several schedulers enqueue it.
CREATE TABLE periodic_runs (
    job     text NOT NULL,
    period  text NOT NULL,
    ran_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (job, period)
);
