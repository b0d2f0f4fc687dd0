ALTER TABLE audit_events DROP COLUMN client_request_id;
ALTER TABLE audit_pending DROP COLUMN client_request_id;
COMMENT ON COLUMN audit_events.request_id IS 'X-Request-Id of the HTTP request, or the name of the command that made the change.';
