ALTER TABLE consignments
    ALTER COLUMN status TYPE text,
    ALTER COLUMN protocol TYPE text,
    ALTER COLUMN body TYPE jsonb,
    ADD CONSTRAINT consignments_status_check
        CHECK (status IN ('draft', 'submitted', 'returned', 'cancelled', 'approved', 'rejected')),
    ADD CONSTRAINT consignments_protocol_check
        CHECK (protocol IN ('vn-cn-durian-fresh-2022', 'vn-cn-durian-frozen-2024', 'vn-cn-coconut-fresh-2024',
            'vn-cn-crocodile-farmed-2024')),
    ADD CONSTRAINT consignments_body_check CHECK (jsonb_typeof(body) = 'object');
ALTER TABLE audit_events
    ALTER COLUMN action TYPE text,
    ALTER COLUMN request_id TYPE text,
    ALTER COLUMN client_request_id TYPE text,
    ALTER COLUMN entity_type TYPE text,
    ALTER COLUMN entity_id TYPE text,
    ADD CONSTRAINT audit_events_action_check CHECK (action IN ('organization.created', 'api_key.created', 'api_key.revoked', 'establishment.created',
        'establishment.updated', 'establishment.status_changed', 'establishment.authorization_added',
        'establishment_import.applied', 'consignment.created', 'consignment.updated', 'consignment.submitted',
        'consignment.cancelled', 'consignment.inspected', 'consignment.approved', 'consignment.rejected',
        'consignment.returned', 'consignment.corrected', 'certificate.issued', 'certificate.revoked',
        'certificate.replaced', 'webhook_endpoint.created', 'webhook_endpoint.deleted',
        'webhook_endpoint.secret_rotated', 'webhook_endpoint.disabled')),
    ADD CONSTRAINT audit_events_request_id_check CHECK (length(request_id) BETWEEN 1 AND 128),
    ADD CONSTRAINT audit_events_client_request_id_check CHECK (length(client_request_id) BETWEEN 1 AND 128),
    ADD CONSTRAINT audit_events_entity_type_check CHECK (entity_type ~ '^[a-z_]+$'),
    ADD CONSTRAINT audit_events_entity_id_check CHECK (length(entity_id) BETWEEN 1 AND 200);
ALTER TABLE audit_pending
    ALTER COLUMN action TYPE text,
    ALTER COLUMN request_id TYPE text,
    ALTER COLUMN client_request_id TYPE text,
    ALTER COLUMN entity_type TYPE text,
    ALTER COLUMN entity_id TYPE text,
    ADD CONSTRAINT audit_pending_action_check CHECK (action IN ('organization.created', 'api_key.created', 'api_key.revoked', 'establishment.created',
        'establishment.updated', 'establishment.status_changed', 'establishment.authorization_added',
        'establishment_import.applied', 'consignment.created', 'consignment.updated', 'consignment.submitted',
        'consignment.cancelled', 'consignment.inspected', 'consignment.approved', 'consignment.rejected',
        'consignment.returned', 'consignment.corrected', 'certificate.issued', 'certificate.revoked',
        'certificate.replaced', 'webhook_endpoint.created', 'webhook_endpoint.deleted',
        'webhook_endpoint.secret_rotated', 'webhook_endpoint.disabled')),
    ADD CONSTRAINT audit_pending_request_id_check CHECK (length(request_id) BETWEEN 1 AND 128),
    ADD CONSTRAINT audit_pending_client_request_id_check CHECK (length(client_request_id) BETWEEN 1 AND 128),
    ADD CONSTRAINT audit_pending_entity_type_check CHECK (entity_type ~ '^[a-z_]+$'),
    ADD CONSTRAINT audit_pending_entity_id_check CHECK (length(entity_id) BETWEEN 1 AND 200);
DROP DOMAIN json_object;
DROP DOMAIN protocol_code;
DROP DOMAIN consignment_status;
DROP DOMAIN audit_entity_id;
DROP DOMAIN audit_entity_type;
DROP DOMAIN audit_request_id;
DROP DOMAIN audit_action;
