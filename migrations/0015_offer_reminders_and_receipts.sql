-- Notifications, part 1: what the offer reminder and the founder's receipt
-- need on existing tables.
--
-- offer_reminder_pct: an offer still unanswered at this share of its TTL
-- gets a reminder (assignment.expiring); 0 sends none.
-- assignments.remind_at is when, fixed when the offer is made, and
-- reminded_at when the reminder was written, so it is written once.
--
-- intakes.receipt_token_sealed: the founder's access token, sealed
-- (internal/secretbox, AES-256-GCM under a key derived from
-- CLOUDROUTE_SECRET_KEY, bound to the intake id) by the submission, so that
-- the receipt mail can carry the private status link. The token is stored
-- otherwise only as a hash; the sealed copy is deleted once the receipt is
-- sent, and after a week in any case.

ALTER TABLE settings
    ADD COLUMN offer_reminder_pct integer NOT NULL DEFAULT 75 CHECK (offer_reminder_pct BETWEEN 0 AND 99);

ALTER TABLE assignments
    ADD COLUMN remind_at   timestamptz,
    ADD COLUMN reminded_at timestamptz;

-- The sweep's backstop for reminder tasks that Redis lost.
CREATE INDEX assignments_reminder_due ON assignments (remind_at)
    WHERE status = 'offered' AND reminded_at IS NULL AND remind_at IS NOT NULL;

ALTER TABLE intakes ADD COLUMN receipt_token_sealed bytea;
CREATE INDEX intakes_receipt_pending ON intakes (created_at) WHERE receipt_token_sealed IS NOT NULL;
