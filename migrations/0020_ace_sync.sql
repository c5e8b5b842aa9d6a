-- The ACE sync (issue 17, docs/ace-sync.md): a connection to AWS Partner
-- Central per partner, a link per record filed through it, the actor "aws"
-- for the moves AWS's review makes, and the reconciliation's setting.

-- AWS moves linked records (acesync.Decide), recorded as its own actor.
ALTER TABLE ace_record_transitions DROP CONSTRAINT ace_record_transitions_actor_role_check;
ALTER TABLE ace_record_transitions ADD CONSTRAINT ace_record_transitions_actor_role_check
    CHECK (actor_role IN ('partner','admin','founder','system','aws'));

-- One connection per partner. The secrets (the access keys; the signing
-- secret of forwarded events) are sealed with AES-256-GCM under a key
-- derived from CLOUDROUTE_SECRET_KEY (internal/secretbox) and bound to the
-- partner: nothing here opens without that key. The external id of a role
-- is CloudRoute's, given to the partner for its role's trust policy, and
-- not a secret (AWS's guidance); the role ARN is not one either.
CREATE TABLE ace_connections (
    id                   uuid PRIMARY KEY,
    partner_id           uuid NOT NULL UNIQUE REFERENCES partners(id),
    catalog              text NOT NULL DEFAULT 'Sandbox' CHECK (catalog IN ('AWS','Sandbox')),
    auth_kind            text NOT NULL CHECK (auth_kind IN ('access_keys','assume_role')),
    role_arn             text,
    external_id          text,
    access_key_hint      text,
    credentials_sealed   bytea,
    events_secret_sealed bytea NOT NULL,
    endpoint             text,
    -- health: the last test or call, the last that worked, the last error
    last_checked_at      timestamptz,
    last_success_at      timestamptz,
    last_error_at        timestamptz,
    last_error_kind      text,
    last_error           text,
    -- the poll: the latest LastModifiedDate read from ACE, never a
    -- CloudRoute time, and when the poll last ran
    poll_cursor          timestamptz,
    last_poll_at         timestamptz,
    created_at           timestamptz NOT NULL,
    updated_at           timestamptz NOT NULL,
    CHECK (auth_kind <> 'access_keys' OR (credentials_sealed IS NOT NULL AND role_arn IS NULL)),
    CHECK (auth_kind <> 'assume_role' OR (role_arn IS NOT NULL AND external_id IS NOT NULL AND credentials_sealed IS NULL))
);

-- A record linked to ACE: the opportunity it is filed as, what ACE last
-- said about it, and the state of the push. The create's payload is kept
-- from the moment the push decided it until ACE answers, so that a retried
-- create carries the same body under the same ClientToken (the record id).
-- push_seq counts the changes that ask for a push, so that a push ending
-- clears push_pending only if nothing asked again meanwhile; pushed_digest
-- is the digest of the opportunity as last sent, so that an edit that
-- changes nothing ACE holds sends nothing.
CREATE TABLE ace_links (
    ace_record_id     uuid PRIMARY KEY REFERENCES ace_records(id),
    partner_id        uuid NOT NULL REFERENCES partners(id),
    catalog           text NOT NULL CHECK (catalog IN ('AWS','Sandbox')),
    extra             jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(extra) = 'object'),
    opportunity_id    text,
    pending_create    jsonb,
    ace_modified_at   timestamptz,
    review_status     text,
    stage             text,
    associated        boolean NOT NULL DEFAULT false,
    submitted_at      timestamptz,
    push_pending      boolean NOT NULL DEFAULT true,
    push_seq          bigint NOT NULL DEFAULT 1,
    pushed_digest     bytea,
    push_lease_until  timestamptz,
    last_push_at      timestamptz,
    last_pull_at      timestamptz,
    last_error_code   text,
    last_error        text,
    last_error_fields jsonb,
    last_error_at     timestamptz,
    action_required   boolean NOT NULL DEFAULT false,
    action_comments   text,
    launched_at       timestamptz,
    finding           text,
    linked_at         timestamptz NOT NULL,
    UNIQUE (partner_id, catalog, opportunity_id)
);
CREATE INDEX ace_links_push ON ace_links (partner_id) WHERE push_pending;

-- Records ACE shows Launched that CloudRoute has not closed after this
-- many days are named by the reconciliation: commission at risk.
ALTER TABLE settings ADD COLUMN ace_launched_unclosed_days integer NOT NULL DEFAULT 30
    CHECK (ace_launched_unclosed_days BETWEEN 1 AND 365);
