-- PostgreSQL reads a table's CHECK constraints back from their stored text and plans them anew
-- for every INSERT or UPDATE statement, prepared or not: under a write load that was a fifth of
-- the server's time, for the two tables every request writes. A domain's constraints are read
-- once per connection (the type cache), so the single-column rules of those tables (and of the
-- sealed chain, which holds the same columns) become domains. The rules themselves are unchanged;
-- rules over several columns stay table constraints.
CREATE DOMAIN audit_action AS text
    CHECK (VALUE IN ('organization.created', 'api_key.created', 'api_key.revoked', 'establishment.created',
        'establishment.updated', 'establishment.status_changed', 'establishment.authorization_added',
        'establishment_import.applied', 'consignment.created', 'consignment.updated', 'consignment.submitted',
        'consignment.cancelled', 'consignment.inspected', 'consignment.approved', 'consignment.rejected',
        'consignment.returned', 'consignment.corrected', 'certificate.issued', 'certificate.revoked',
        'certificate.replaced', 'webhook_endpoint.created', 'webhook_endpoint.deleted',
        'webhook_endpoint.secret_rotated', 'webhook_endpoint.disabled'));
COMMENT ON DOMAIN audit_action IS 'What an audit event records; the list of domain::audit::AuditAction.';
CREATE DOMAIN audit_request_id AS text CHECK (length(VALUE) BETWEEN 1 AND 128);
COMMENT ON DOMAIN audit_request_id IS 'A request id (ours or the client''s X-Request-Id) as the audit trail keeps it.';
CREATE DOMAIN audit_entity_type AS text CHECK (VALUE ~ '^[a-z_]+$');
COMMENT ON DOMAIN audit_entity_type IS 'The kind of object an audit event is about.';
CREATE DOMAIN audit_entity_id AS text CHECK (length(VALUE) BETWEEN 1 AND 200);
COMMENT ON DOMAIN audit_entity_id IS 'The identifier of the object an audit event is about.';
CREATE DOMAIN consignment_status AS text
    CHECK (VALUE IN ('draft', 'submitted', 'returned', 'cancelled', 'approved', 'rejected'));
COMMENT ON DOMAIN consignment_status IS 'Where a consignment is in its life; domain::consignment::status::ConsignmentStatus.';
CREATE DOMAIN protocol_code AS text
    CHECK (VALUE IN ('vn-cn-durian-fresh-2022', 'vn-cn-durian-frozen-2024', 'vn-cn-coconut-fresh-2024',
        'vn-cn-crocodile-farmed-2024'));
COMMENT ON DOMAIN protocol_code IS 'The China-Vietnam protocol a consignment is declared under.';
CREATE DOMAIN json_object AS jsonb CHECK (jsonb_typeof(VALUE) = 'object');
COMMENT ON DOMAIN json_object IS 'A JSON document that is an object.';

ALTER TABLE audit_pending
    DROP CONSTRAINT audit_pending_action_check,
    DROP CONSTRAINT audit_pending_request_id_check,
    DROP CONSTRAINT audit_pending_client_request_id_check,
    DROP CONSTRAINT audit_pending_entity_type_check,
    DROP CONSTRAINT audit_pending_entity_id_check,
    ALTER COLUMN action TYPE audit_action,
    ALTER COLUMN request_id TYPE audit_request_id,
    ALTER COLUMN client_request_id TYPE audit_request_id,
    ALTER COLUMN entity_type TYPE audit_entity_type,
    ALTER COLUMN entity_id TYPE audit_entity_id;
ALTER TABLE audit_events
    DROP CONSTRAINT audit_events_action_check,
    DROP CONSTRAINT audit_events_request_id_check,
    DROP CONSTRAINT audit_events_client_request_id_check,
    DROP CONSTRAINT audit_events_entity_type_check,
    DROP CONSTRAINT audit_events_entity_id_check,
    ALTER COLUMN action TYPE audit_action,
    ALTER COLUMN request_id TYPE audit_request_id,
    ALTER COLUMN client_request_id TYPE audit_request_id,
    ALTER COLUMN entity_type TYPE audit_entity_type,
    ALTER COLUMN entity_id TYPE audit_entity_id;
ALTER TABLE consignments
    DROP CONSTRAINT consignments_status_check,
    DROP CONSTRAINT consignments_protocol_check,
    DROP CONSTRAINT consignments_body_check,
    ALTER COLUMN status TYPE consignment_status,
    ALTER COLUMN protocol TYPE protocol_code,
    ALTER COLUMN body TYPE json_object;
