-- Responsiveness (offers, declines, expiries in the window) kept with the
-- rest of a partner's window statistics, so routing reads one row per
-- partner instead of aggregating every assignment of the window.
ALTER TABLE partner_stats
    ADD COLUMN offers   integer NOT NULL DEFAULT 0 CHECK (offers >= 0),
    ADD COLUMN declines integer NOT NULL DEFAULT 0 CHECK (declines >= 0),
    ADD COLUMN expiries integer NOT NULL DEFAULT 0 CHECK (expiries >= 0);
CREATE INDEX assignments_partner_offered ON assignments (partner_id, offered_at);
