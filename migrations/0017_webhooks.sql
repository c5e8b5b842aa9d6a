-- Notifications, part 3: webhooks to partners (Standard Webhooks).
--
-- webhook_endpoints: a partner's receivers. The signing secret is kept only
-- sealed (internal/secretbox, bound to the endpoint id); during a rotation
-- the previous secret stays valid, and signs too, until
-- previous_secret_expires_at. An endpoint is disabled by its owner, an
-- admin, or the delivery rule (failures spanning 3 days, or 410 Gone);
-- enabled_at is where that rule starts looking again.
--
-- webhook_messages: the body of each event sent to partners, made once, so
-- that every attempt and every manual redelivery signs and sends the same
-- bytes.
--
-- webhook_deliveries: the delivery log, one row per attempt. An event is
-- delivered to an endpoint once (a partial unique index), however often
-- its task runs; a manual redelivery is logged as such and sends again.

CREATE TABLE webhook_endpoints (
    id                          uuid PRIMARY KEY,
    partner_id                  uuid NOT NULL REFERENCES partners(id),
    url                         text NOT NULL CHECK (length(url) BETWEEN 8 AND 2048),
    event_types                 text[] NOT NULL CHECK (cardinality(event_types) > 0),
    secret_sealed               bytea NOT NULL,
    previous_secret_sealed      bytea,
    previous_secret_expires_at  timestamptz,
    enabled                     boolean NOT NULL DEFAULT true,
    enabled_at                  timestamptz NOT NULL,
    disabled_at                 timestamptz,
    disabled_reason             text,
    updated_by_role             text NOT NULL CHECK (updated_by_role IN ('admin','partner')),
    updated_by_key_id           uuid REFERENCES api_keys(id),
    created_at                  timestamptz NOT NULL,
    updated_at                  timestamptz NOT NULL,
    CHECK ((previous_secret_sealed IS NULL) = (previous_secret_expires_at IS NULL)),
    CHECK (enabled = (disabled_at IS NULL)),
    CHECK (enabled = (disabled_reason IS NULL))
);
CREATE INDEX webhook_endpoints_partner ON webhook_endpoints (partner_id, created_at, id);

CREATE TABLE webhook_messages (
    event_id    uuid PRIMARY KEY,
    partner_id  uuid NOT NULL REFERENCES partners(id),
    event_type  text NOT NULL,
    body        bytea NOT NULL,
    created_at  timestamptz NOT NULL
);

CREATE TABLE webhook_deliveries (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    event_id     uuid NOT NULL REFERENCES webhook_messages(event_id),
    endpoint_id  uuid NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
    attempt      integer NOT NULL CHECK (attempt >= 1),
    manual       boolean NOT NULL DEFAULT false,
    delivered    boolean NOT NULL,
    status_code  integer CHECK (status_code BETWEEN 100 AND 599),
    latency_ms   integer NOT NULL CHECK (latency_ms >= 0),
    error_class  text,
    error        text,
    at           timestamptz NOT NULL,
    UNIQUE (event_id, endpoint_id, attempt),
    CHECK (delivered = (error_class IS NULL))
);
CREATE UNIQUE INDEX webhook_deliveries_once ON webhook_deliveries (event_id, endpoint_id) WHERE delivered AND NOT manual;
CREATE INDEX webhook_deliveries_log ON webhook_deliveries (endpoint_id, at DESC, id DESC);
