-- Writes no longer chain their audit events under a global lock: a request's transaction
-- records its event here, and a sealer (one instance at a time, under an advisory lock)
-- moves committed events into the hash chain in batches shortly after commit.
CREATE TABLE audit_pending (
    pending_id bigserial PRIMARY KEY,
    id uuid NOT NULL UNIQUE,
    occurred_at timestamptz NOT NULL,
    actor_key_id uuid,
    actor_organization_id uuid,
    request_id text NOT NULL CHECK (length(request_id) BETWEEN 1 AND 128),
    action text NOT NULL CHECK (action IN ('organization.created', 'api_key.created', 'api_key.revoked',
        'establishment.created', 'establishment.updated', 'establishment.status_changed',
        'establishment.authorization_added', 'establishment_import.applied', 'consignment.created',
        'consignment.updated', 'consignment.submitted', 'consignment.cancelled', 'consignment.inspected',
        'consignment.approved', 'consignment.rejected', 'consignment.returned', 'consignment.corrected',
        'certificate.issued', 'certificate.revoked', 'certificate.replaced')),
    entity_type text NOT NULL CHECK (entity_type ~ '^[a-z_]+$'),
    entity_id text NOT NULL CHECK (length(entity_id) BETWEEN 1 AND 200),
    state jsonb NOT NULL
);
COMMENT ON TABLE audit_pending IS 'Audit events committed with their change but not yet sealed into the hash chain (audit_events). The sealer moves them in pending_id order and deletes them in the same transaction, so an event is in exactly one of the two tables.';
COMMENT ON COLUMN audit_pending.pending_id IS 'Arrival order; the sealer seals in this order among the events committed when it runs.';
COMMENT ON COLUMN audit_pending.occurred_at IS 'When the change was made; kept unchanged in the chain. The oldest one gives the sealing lag.';

COMMENT ON COLUMN audit_events.seq IS 'Position in the chain, gapless from 1; assigned by the sealer under a transaction-scoped advisory lock.';
COMMENT ON COLUMN audit_events.occurred_at IS 'When the change was made (not when it was sealed).';

CREATE TABLE audit_checkpoints (
    seq bigint PRIMARY KEY CHECK (seq > 0),
    hash bytea NOT NULL CHECK (length(hash) = 32),
    signed_at timestamptz NOT NULL,
    key_id text NOT NULL CHECK (length(key_id) BETWEEN 1 AND 100),
    signature bytea NOT NULL CHECK (length(signature) = 64)
);
COMMENT ON TABLE audit_checkpoints IS 'Signed statements of the chain head (sequence number and hash at a time), published at GET /v1/audit-checkpoints. A copy kept by a third party detects later removal of the newest events.';
COMMENT ON COLUMN audit_checkpoints.signature IS 'Ed25519 over the canonical JSON {"hash", "key_id", "purpose": "audit-checkpoint", "seq", "signed_at"} with the key key_id.';
