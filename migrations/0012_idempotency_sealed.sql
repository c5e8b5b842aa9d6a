-- Idempotency keys keep no live secret at rest. The key itself is stored
-- only as its SHA-256, and the founder's access token that a replay must
-- give back is sealed (AES-256-GCM) under a key derived from the
-- Idempotency-Key, which the database does not hold. Rows written before
-- this migration held the plaintext answer; they are dropped (a key lives
-- 24 hours, and a retry of a dropped key meets the open intake's
-- duplicate_intake rule instead of filing twice).
DROP TABLE idempotency_keys;

CREATE TABLE idempotency_keys (
    key_hash     bytea PRIMARY KEY CHECK (length(key_hash) = 32),
    request_hash bytea NOT NULL CHECK (length(request_hash) = 32),
    intake_id    uuid REFERENCES intakes(id),
    -- nonce || ciphertext || tag; NULL only while the first request that
    -- claimed the key is still in its transaction
    token_sealed bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((intake_id IS NULL) = (token_sealed IS NULL))
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
