-- Rejection reasons and audit actions become closed lists, like every other text enum; the
-- service's text enums and these lists are compared by a test.
ALTER TABLE consignment_decisions ADD CONSTRAINT consignment_decisions_reason_code_check
    CHECK (reason_code IN ('quarantine_pest_found', 'soil_or_plant_debris', 'registry_not_approved',
        'lab_results_non_compliant', 'cold_chain_breach', 'animal_health', 'documents_non_compliant', 'other'));

ALTER TABLE audit_events DROP CONSTRAINT audit_events_action_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_action_check
    CHECK (action IN ('organization.created', 'api_key.created', 'api_key.revoked', 'establishment.created',
        'establishment.updated', 'establishment.status_changed', 'establishment.authorization_added',
        'establishment_import.applied', 'consignment.created', 'consignment.updated', 'consignment.submitted',
        'consignment.cancelled', 'consignment.inspected', 'consignment.approved', 'consignment.rejected',
        'consignment.returned', 'consignment.corrected', 'certificate.issued', 'certificate.revoked',
        'certificate.replaced'));
