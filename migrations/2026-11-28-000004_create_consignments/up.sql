CREATE TABLE consignments (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL REFERENCES organizations (id),
    protocol text NOT NULL CHECK (protocol IN ('vn-cn-durian-fresh-2022', 'vn-cn-durian-frozen-2024', 'vn-cn-coconut-fresh-2024', 'vn-cn-crocodile-farmed-2024')),
    status text NOT NULL CHECK (status IN ('draft', 'submitted', 'returned', 'cancelled')),
    planned_departure_date date NOT NULL,
    body jsonb NOT NULL CHECK (jsonb_typeof(body) = 'object'),
    version integer NOT NULL CHECK (version >= 1),
    submission_report jsonb,
    submitted_at timestamptz,
    cancelled_at timestamptz,
    created_by_key_id uuid REFERENCES api_keys (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'submitted' OR (submission_report IS NOT NULL AND submitted_at IS NOT NULL)),
    CHECK (status <> 'cancelled' OR cancelled_at IS NOT NULL)
);
CREATE INDEX consignments_organization ON consignments (organization_id, created_at, id);
CREATE INDEX consignments_status ON consignments (status, submitted_at);
COMMENT ON TABLE consignments IS 'Consignments declared by exporters, each under one protocol. The declaration is kept as the JSON the exporter sent (checked against the typed model on every write); version increases on every change and is the ETag.';
COMMENT ON COLUMN consignments.body IS 'The declaration: consignee, route, containers, lots, labels, lab reports and product details.';
COMMENT ON COLUMN consignments.version IS 'Optimistic-concurrency version, exposed as the ETag; every change adds one.';
COMMENT ON COLUMN consignments.submission_report IS 'The compliance report computed at submission.';

CREATE TABLE idempotency_keys (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    request_sha256 bytea NOT NULL CHECK (length(request_sha256) = 32),
    consignment_id uuid NOT NULL REFERENCES consignments (id),
    response_body jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, idempotency_key)
);
COMMENT ON TABLE idempotency_keys IS 'Idempotency-Key values of consignment creations per organisation, with the request fingerprint and the response to replay.';
