-- Notifications, part 2: mail.
--
-- mail_deliveries: one row per (event, kind of mail, recipient), claimed
-- before the mail is handed to the transport and marked sent after, so a
-- task run twice (asynq delivers at least once) never sends a mail twice.
-- A claim is a lease: a sender that died mid-send leaves a row in
-- 'sending' whose lease runs out, and the task's retry sends again, under
-- the same Message-ID.
--
-- sent_mail: the embedded default transport (no SMTP_URL). Every mail a
-- deployment would send is kept here, whole, for admins to read
-- (GET /v1/admin/mail). A founder's access token is withheld from it.
--
-- notification_optouts: the kinds of mail an address turned off (digests,
-- reminders), by one-click unsubscribe. Offers cannot be turned off.
--
-- admin_digest_items: intakes that need an admin (unroutable, waiting for
-- review), gathered into a digest at most every 15 minutes.

CREATE TABLE mail_deliveries (
    event_id      text NOT NULL CHECK (length(event_id) BETWEEN 1 AND 200),
    kind          text NOT NULL CHECK (kind ~ '^[a-z_]+\.[a-z_]+$'),
    recipient     text NOT NULL CHECK (recipient = lower(recipient) AND length(recipient) BETWEEN 3 AND 254),
    message_id    text NOT NULL,
    state         text NOT NULL CHECK (state IN ('sending','sent','failed','rejected')),
    attempts      integer NOT NULL DEFAULT 1 CHECK (attempts >= 1),
    claimed_until timestamptz NOT NULL,
    last_error    text,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    sent_at       timestamptz,
    PRIMARY KEY (event_id, kind, recipient),
    CHECK ((state = 'sent') = (sent_at IS NOT NULL))
);

CREATE TABLE sent_mail (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    message_id       text NOT NULL UNIQUE,
    event_id         text NOT NULL,
    kind             text NOT NULL,
    from_address     text NOT NULL,
    to_address       text NOT NULL,
    subject          text NOT NULL,
    text_body        text NOT NULL,
    html_body        text NOT NULL,
    headers          jsonb NOT NULL CHECK (jsonb_typeof(headers) = 'array'),
    list_unsubscribe text,
    date             timestamptz NOT NULL,
    created_at       timestamptz NOT NULL
);
CREATE INDEX sent_mail_newest ON sent_mail (created_at DESC, id DESC);

CREATE TABLE notification_optouts (
    email      text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    topic      text NOT NULL CHECK (topic IN ('digests','reminders')),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (email, topic)
);

CREATE TABLE admin_digest_items (
    event_id     uuid PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('intake.unroutable','intake.pending_review')),
    intake_id    uuid NOT NULL REFERENCES intakes(id),
    partner_id   uuid REFERENCES partners(id),
    occurred_at  timestamptz NOT NULL,
    digest       text,
    sent_at      timestamptz,
    CHECK (sent_at IS NULL OR digest IS NOT NULL)
);
CREATE INDEX admin_digest_items_pending ON admin_digest_items (digest, occurred_at) WHERE sent_at IS NULL;
