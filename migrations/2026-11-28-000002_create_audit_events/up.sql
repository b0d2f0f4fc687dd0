CREATE TABLE audit_events (
    id uuid PRIMARY KEY,
    seq bigint NOT NULL UNIQUE CHECK (seq > 0),
    occurred_at timestamptz NOT NULL,
    actor_key_id uuid,
    actor_organization_id uuid,
    request_id text NOT NULL CHECK (length(request_id) BETWEEN 1 AND 128),
    action text NOT NULL CHECK (action ~ '^[a-z_]+\.[a-z_]+$'),
    entity_type text NOT NULL CHECK (entity_type ~ '^[a-z_]+$'),
    entity_id text NOT NULL CHECK (length(entity_id) BETWEEN 1 AND 200),
    state jsonb NOT NULL,
    prev_hash bytea NOT NULL CHECK (length(prev_hash) = 32),
    hash bytea NOT NULL UNIQUE CHECK (length(hash) = 32)
);
CREATE INDEX audit_events_entity ON audit_events (entity_type, entity_id, seq);

COMMENT ON TABLE audit_events IS 'Append-only, hash-chained record of every state change. No foreign keys: the trail outlives what it describes. UPDATE, DELETE and TRUNCATE are refused by triggers.';
COMMENT ON COLUMN audit_events.seq IS 'Position in the chain, gapless from 1; assigned under a transaction-scoped advisory lock.';
COMMENT ON COLUMN audit_events.actor_key_id IS 'API key that made the change; NULL for the service itself (first start, command line).';
COMMENT ON COLUMN audit_events.request_id IS 'X-Request-Id of the HTTP request, or the name of the command that made the change.';
COMMENT ON COLUMN audit_events.action IS 'What happened, as entity.verb, for example organization.created.';
COMMENT ON COLUMN audit_events.state IS 'The entity''s state after the change.';
COMMENT ON COLUMN audit_events.prev_hash IS 'hash of the event with seq - 1; 32 zero bytes for the first event.';
COMMENT ON COLUMN audit_events.hash IS 'SHA-256 over prev_hash followed by the canonical JSON of this event''s content.';

CREATE FUNCTION audit_events_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$;
COMMENT ON FUNCTION audit_events_refuse_change() IS 'Keeps audit_events append-only.';

CREATE TRIGGER audit_events_no_update_or_delete
    BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_refuse_change();
CREATE TRIGGER audit_events_no_truncate
    BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_refuse_change();
