-- People's accounts: partner staff and admins, beside machines' API keys.
-- A user belongs to one partner (role partner) or is an admin; passwords
-- are argon2id hashes; invitation and session tokens are stored only as
-- hashes. Every audited change can name the user who made it.

CREATE TABLE users (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email               text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
    name                text NOT NULL DEFAULT '' CHECK (length(name) <= 200),
    role                text NOT NULL CHECK (role IN ('admin','partner')),
    partner_id          uuid REFERENCES partners(id),
    password_hash       text,
    status              text NOT NULL DEFAULT 'invited' CHECK (status IN ('invited','active','disabled')),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    password_changed_at timestamptz,
    -- a partner user names its partner; an admin names none
    CHECK ((role = 'partner') = (partner_id IS NOT NULL)),
    -- an active user has a password
    CHECK (status <> 'active' OR password_hash IS NOT NULL)
);
CREATE UNIQUE INDEX users_email ON users (email);
CREATE INDEX users_partner ON users (partner_id) WHERE partner_id IS NOT NULL;

CREATE TABLE invitations (
    token_hash  bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id     uuid NOT NULL REFERENCES users(id),
    created_by  uuid REFERENCES users(id),
    created_by_key uuid REFERENCES api_keys(id),
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX invitations_user ON invitations (user_id);

CREATE TABLE sessions (
    token_hash   bytea PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id      uuid NOT NULL REFERENCES users(id),
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    CHECK (last_seen_at >= created_at)
);
CREATE INDEX sessions_user ON sessions (user_id);

-- Who did it: a user, beside the API key columns already there.
ALTER TABLE settings_audit ADD COLUMN actor_user_id uuid REFERENCES users(id);
ALTER TABLE routing_decisions ADD COLUMN actor_user_id uuid REFERENCES users(id);
ALTER TABLE ace_record_transitions ADD COLUMN actor_user_id uuid REFERENCES users(id);
ALTER TABLE commission_entries ADD COLUMN actor_user_id uuid REFERENCES users(id);
ALTER TABLE statement_events ADD COLUMN actor_user_id uuid REFERENCES users(id);
