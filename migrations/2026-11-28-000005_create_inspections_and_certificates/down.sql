DROP TABLE certificates;
DROP FUNCTION certificates_guard();
DROP TABLE certificate_counters;
DROP TABLE signing_keys;
DROP TABLE consignment_decisions;
DROP TABLE inspections;
ALTER TABLE consignments DROP CONSTRAINT consignments_decided_check;
ALTER TABLE consignments DROP COLUMN decided_at;
-- Decided consignments fall back to submitted, the last status the old schema knows.
UPDATE consignments SET status = 'submitted' WHERE status IN ('approved', 'rejected');
ALTER TABLE consignments DROP CONSTRAINT consignments_status_check;
ALTER TABLE consignments ADD CONSTRAINT consignments_status_check
    CHECK (status IN ('draft', 'submitted', 'returned', 'cancelled'));
DROP INDEX IF EXISTS consignments_queue;
