ALTER TABLE audit_pending DROP CONSTRAINT audit_pending_action_check;
ALTER TABLE audit_pending ADD CONSTRAINT audit_pending_action_check
    CHECK (action IN ('organization.created', 'api_key.created', 'api_key.revoked', 'establishment.created',
        'establishment.updated', 'establishment.status_changed', 'establishment.authorization_added',
        'establishment_import.applied', 'consignment.created', 'consignment.updated', 'consignment.submitted',
        'consignment.cancelled', 'consignment.inspected', 'consignment.approved', 'consignment.rejected',
        'consignment.returned', 'consignment.corrected', 'certificate.issued', 'certificate.revoked',
        'certificate.replaced'));
ALTER TABLE audit_events DROP CONSTRAINT audit_events_action_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_action_check
    CHECK (action IN ('organization.created', 'api_key.created', 'api_key.revoked', 'establishment.created',
        'establishment.updated', 'establishment.status_changed', 'establishment.authorization_added',
        'establishment_import.applied', 'consignment.created', 'consignment.updated', 'consignment.submitted',
        'consignment.cancelled', 'consignment.inspected', 'consignment.approved', 'consignment.rejected',
        'consignment.returned', 'consignment.corrected', 'certificate.issued', 'certificate.revoked',
        'certificate.replaced'));
DROP TABLE webhook_attempts;
DROP TABLE webhook_endpoints;
