ALTER TABLE audit_events DROP CONSTRAINT audit_events_action_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_action_check CHECK (action ~ '^[a-z_]+\.[a-z_]+$');
ALTER TABLE consignment_decisions DROP CONSTRAINT consignment_decisions_reason_code_check;
