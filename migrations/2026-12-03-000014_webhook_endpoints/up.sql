-- Webhooks: an organisation's endpoints follow its event feed (event_recipients) the way a
-- client following GET /v1/events does, each with its own position; every try is recorded.
CREATE TABLE webhook_endpoints (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    url text NOT NULL CHECK (length(url) BETWEEN 10 AND 2000 AND url ~ '^https?://'),
    event_types text[] NOT NULL DEFAULT '{}',
    -- Standard Webhooks secret (whsec_ and base64 of 32 random bytes); kept to sign with.
    secret text NOT NULL CHECK (secret ~ '^whsec_[A-Za-z0-9+/=]{40,}$'),
    -- After a rotation the old secret signs too, until it expires, so receivers can switch.
    previous_secret text CHECK (previous_secret ~ '^whsec_[A-Za-z0-9+/=]{40,}$'),
    previous_secret_expires_at timestamptz,
    enabled boolean NOT NULL DEFAULT true,
    delivered_through_seq bigint NOT NULL CHECK (delivered_through_seq >= 0),
    failed_attempts integer NOT NULL DEFAULT 0 CHECK (failed_attempts >= 0),
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    failing_since timestamptz,
    disabled_reason text CHECK (disabled_reason IS NULL OR length(disabled_reason) BETWEEN 1 AND 500),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (enabled OR disabled_reason IS NOT NULL),
    CHECK ((previous_secret IS NULL) = (previous_secret_expires_at IS NULL))
);
CREATE INDEX webhook_endpoints_organization ON webhook_endpoints (organization_id, created_at, id);
CREATE INDEX webhook_endpoints_due ON webhook_endpoints (next_attempt_at) WHERE enabled;
COMMENT ON TABLE webhook_endpoints IS 'Where an organisation wants its feed events pushed. delivered_through_seq is the last audit seq delivered (or skipped as not of its types); the deliverer sends the next one, so deliveries per endpoint are in chain order, at least once.';
COMMENT ON COLUMN webhook_endpoints.delivered_through_seq IS 'Starts at the chain head when the endpoint is created (after sealing what was committed before): an endpoint receives the events committed after it was registered.';
COMMENT ON COLUMN webhook_endpoints.failing_since IS 'First failed try of the current run of failures; an endpoint failing for 3 days is disabled.';

CREATE TABLE webhook_attempts (
    id uuid PRIMARY KEY,
    endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    seq bigint NOT NULL CHECK (seq > 0),
    event_id uuid NOT NULL,
    event_type text NOT NULL CHECK (length(event_type) BETWEEN 1 AND 100),
    attempt integer NOT NULL CHECK (attempt >= 1),
    succeeded boolean NOT NULL,
    status_code integer CHECK (status_code BETWEEN 100 AND 599),
    error text CHECK (error IS NULL OR length(error) <= 1000),
    latency_ms integer NOT NULL CHECK (latency_ms >= 0),
    attempted_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, attempted_at DESC, id DESC);
COMMENT ON TABLE webhook_attempts IS 'Every try to deliver an event to a webhook endpoint, with the answer (status or error) and how long it took.';

-- Registering and removing endpoints are audited like every other change.
ALTER TABLE audit_events DROP CONSTRAINT audit_events_action_check;
ALTER TABLE audit_events ADD CONSTRAINT audit_events_action_check
    CHECK (action IN ('organization.created', 'api_key.created', 'api_key.revoked', 'establishment.created',
        'establishment.updated', 'establishment.status_changed', 'establishment.authorization_added',
        'establishment_import.applied', 'consignment.created', 'consignment.updated', 'consignment.submitted',
        'consignment.cancelled', 'consignment.inspected', 'consignment.approved', 'consignment.rejected',
        'consignment.returned', 'consignment.corrected', 'certificate.issued', 'certificate.revoked',
        'certificate.replaced', 'webhook_endpoint.created', 'webhook_endpoint.deleted',
        'webhook_endpoint.secret_rotated', 'webhook_endpoint.disabled'));
ALTER TABLE audit_pending DROP CONSTRAINT audit_pending_action_check;
ALTER TABLE audit_pending ADD CONSTRAINT audit_pending_action_check
    CHECK (action IN ('organization.created', 'api_key.created', 'api_key.revoked', 'establishment.created',
        'establishment.updated', 'establishment.status_changed', 'establishment.authorization_added',
        'establishment_import.applied', 'consignment.created', 'consignment.updated', 'consignment.submitted',
        'consignment.cancelled', 'consignment.inspected', 'consignment.approved', 'consignment.rejected',
        'consignment.returned', 'consignment.corrected', 'certificate.issued', 'certificate.revoked',
        'certificate.replaced', 'webhook_endpoint.created', 'webhook_endpoint.deleted',
        'webhook_endpoint.secret_rotated', 'webhook_endpoint.disabled'));
