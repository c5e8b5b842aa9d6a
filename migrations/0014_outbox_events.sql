-- The outbox holds domain events instead of asynq tasks.
--
-- Until now a row named the task to run (task_type, payload, process_at),
-- so storage chose the job at every call site. From here a row says what
-- happened: {event_id, kind, subject, payload, occurred_at}, written in the
-- transaction that made it happen, and internal/jobs maps each kind to its
-- effects (route, expire, index, drain, accrue), enqueued with task ids
-- made from the event id and the effect, so that each effect runs once
-- however often the relay sends the event.
--
-- Rows written before this migration: each one, sent or not, becomes an
-- event of kind 'outbox.task' whose payload keeps the row as it was
-- ({outbox_id, task_type, payload, process_at}). internal/jobs delivers
-- such an event as exactly the task it named, at its process_at, with the
-- task id the relay gave it before ("outbox:<id>"). So an unsent row is
-- still delivered after the upgrade, a row relayed just before it and
-- again after is still one task in Redis, and nothing has to guess what
-- domain event an old task stood for. Sent rows are converted too, only so
-- that the table has one shape; they are purged after a week as before.
--
-- event_id has no unique index: it is a random UUID made with the row, and
-- one more index on the busiest insert of the submission path costs more
-- than it would guard. The bigserial id stays the relay's order and key.

ALTER TABLE outbox
    ADD COLUMN event_id uuid,
    ADD COLUMN kind     text,
    ADD COLUMN subject  text;

UPDATE outbox SET
    event_id = gen_random_uuid(),
    kind     = 'outbox.task',
    subject  = task_type,
    payload  = jsonb_build_object('outbox_id', id, 'task_type', task_type, 'payload', payload, 'process_at', process_at);

ALTER TABLE outbox RENAME COLUMN created_at TO occurred_at;

ALTER TABLE outbox
    ALTER COLUMN event_id SET NOT NULL,
    ALTER COLUMN event_id SET DEFAULT gen_random_uuid(),
    ALTER COLUMN kind     SET NOT NULL,
    ALTER COLUMN subject  SET NOT NULL,
    ADD CONSTRAINT outbox_kind_shape CHECK (kind ~ '^[a-z_]+\.[a-z_]+$'),
    DROP COLUMN task_type,
    DROP COLUMN process_at;
