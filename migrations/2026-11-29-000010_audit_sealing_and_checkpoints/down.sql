-- Unsealed events would be lost by dropping the table: seal them first (any running instance does).
DROP TABLE audit_checkpoints;
DROP TABLE audit_pending;
COMMENT ON COLUMN audit_events.seq IS 'Position in the chain, gapless from 1; assigned under a transaction-scoped advisory lock.';
COMMENT ON COLUMN audit_events.occurred_at IS NULL;
