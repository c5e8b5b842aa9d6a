-- The partner's commission rate when the record closed, kept on the record
-- so an accrual lost by Redis can be recovered with the right rate.
ALTER TABLE ace_records
    ADD COLUMN commission_bps_at_close integer CHECK (commission_bps_at_close BETWEEN 0 AND 10000);
CREATE INDEX ace_records_closed_unaccrued ON ace_records (closed_at)
    WHERE state = 'closed' AND approved_usd > 0;
