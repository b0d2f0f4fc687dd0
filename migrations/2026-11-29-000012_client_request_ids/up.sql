-- The audit trail records the service's own request id; an X-Request-Id the client sent is
-- kept beside it, never in its place.
ALTER TABLE audit_pending ADD COLUMN client_request_id text CHECK (length(client_request_id) BETWEEN 1 AND 128);
ALTER TABLE audit_events ADD COLUMN client_request_id text CHECK (length(client_request_id) BETWEEN 1 AND 128);
COMMENT ON COLUMN audit_events.client_request_id IS 'The X-Request-Id the client sent, if any; hashed with the event when present. Before this column, a client''s id could stand in request_id itself.';
COMMENT ON COLUMN audit_pending.client_request_id IS 'The X-Request-Id the client sent, if any.';
COMMENT ON COLUMN audit_events.request_id IS 'The service''s own id of the HTTP request (X-Request-Id of the response), or the name of the command that made the change.';
