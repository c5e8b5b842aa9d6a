-- Track records, the routing index, assignments and routing decisions.

CREATE TABLE outcomes (
    id              bigserial PRIMARY KEY,
    partner_id      uuid NOT NULL REFERENCES partners(id),
    source          text NOT NULL CHECK (source IN ('import','platform')),
    ace_record_id   uuid UNIQUE,
    decided_at      timestamptz NOT NULL,
    submitted_at    timestamptz NOT NULL,
    stage           text NOT NULL CHECK (stage IN ('pre_seed','seed','series_a','series_b','series_c_plus')),
    region          text NOT NULL CHECK (region IN ('us_east','us_west','uk','eu','mena','india','apac','brazil')),
    vertical        text NOT NULL CHECK (vertical IN ('fintech','healthtech','b2b_saas','ecommerce','deep_tech','gaming','other')),
    service_profile text NOT NULL CHECK (service_profile IN ('compute_heavy','ai_heavy','data_heavy','edge_heavy')),
    engagement_type text NOT NULL CHECK (engagement_type IN ('build','migrate')),
    funding_source  text NOT NULL CHECK (funding_source IN ('founders','portfolio','build_for_startups','bedrock_poc','map')),
    outcome         text NOT NULL CHECK (outcome IN ('approved','rejected','withdrawn')),
    requested_usd   bigint NOT NULL CHECK (requested_usd >= 0),
    approved_usd    bigint NOT NULL DEFAULT 0 CHECK (approved_usd >= 0),
    created_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (submitted_at <= decided_at),
    CHECK (outcome = 'approved' OR approved_usd = 0),
    CHECK ((source = 'platform') = (ace_record_id IS NOT NULL))
);
CREATE INDEX outcomes_partner_decided ON outcomes (partner_id, decided_at);
CREATE INDEX outcomes_decided ON outcomes (decided_at);

-- Wins and decided outcomes per (partner, axis, value) inside the window.
CREATE TABLE routing_index (
    partner_id uuid NOT NULL REFERENCES partners(id),
    axis       text NOT NULL CHECK (axis IN ('stage','region','vertical','service_profile','engagement_type')),
    value      text NOT NULL,
    wins       integer NOT NULL CHECK (wins >= 0),
    decided    integer NOT NULL CHECK (decided >= wins),
    PRIMARY KEY (partner_id, axis, value)
);
CREATE INDEX routing_index_cell ON routing_index (axis, value);

-- A partner's whole record in the window, and its speed.
CREATE TABLE partner_stats (
    partner_id             uuid PRIMARY KEY REFERENCES partners(id),
    wins                   integer NOT NULL CHECK (wins >= 0),
    decided                integer NOT NULL CHECK (decided >= wins),
    median_days_to_approval double precision,
    built_at               timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE routing_decisions (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    intake_id         uuid NOT NULL REFERENCES intakes(id),
    trigger           text NOT NULL,
    mode              text NOT NULL CHECK (mode IN ('auto','review','admin')),
    outcome           text NOT NULL CHECK (outcome IN ('offered','pending_review','unroutable','assigned')),
    chosen_partner_id uuid REFERENCES partners(id),
    explanation       jsonb NOT NULL,
    actor_key_id      uuid REFERENCES api_keys(id),
    reason            text,
    created_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX routing_decisions_intake ON routing_decisions (intake_id, created_at);

CREATE TABLE assignments (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    intake_id   uuid NOT NULL REFERENCES intakes(id),
    partner_id  uuid NOT NULL REFERENCES partners(id),
    decision_id uuid REFERENCES routing_decisions(id),
    status      text NOT NULL CHECK (status IN ('offered','accepted','declined','expired','released','cancelled','completed')),
    offered_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    accepted_at timestamptz,
    ended_at    timestamptz,
    end_reason  text,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    -- an intake is never offered twice to the same partner
    UNIQUE (intake_id, partner_id),
    UNIQUE (id, partner_id, intake_id),
    CHECK ((status IN ('offered','accepted')) = (ended_at IS NULL)),
    CHECK (status <> 'declined' OR end_reason IS NOT NULL)
);
-- At most one active assignment per intake (SPEC §3).
CREATE UNIQUE INDEX assignments_one_active ON assignments (intake_id)
    WHERE status IN ('offered','accepted');
CREATE INDEX assignments_partner_status ON assignments (partner_id, status);
CREATE INDEX assignments_offer_expiry ON assignments (expires_at) WHERE status = 'offered';
