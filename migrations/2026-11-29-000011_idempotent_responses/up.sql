-- Every state-changing POST accepts an Idempotency-Key: the response of the request that first
-- used a key is stored in the transaction that made its change, and a repeat of that request
-- (same organisation, key, method, path and body) gets it back instead of acting twice.
CREATE TABLE idempotent_responses (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    idempotency_key text NOT NULL CHECK (length(idempotency_key) BETWEEN 1 AND 255),
    request_sha256 bytea NOT NULL CHECK (length(request_sha256) = 32),
    status smallint NOT NULL CHECK (status BETWEEN 200 AND 299),
    location text,
    etag text,
    body jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (organization_id, idempotency_key)
);
CREATE INDEX idempotent_responses_created_at ON idempotent_responses (created_at);
COMMENT ON TABLE idempotent_responses IS 'The successful response to a state-changing POST sent with an Idempotency-Key, per organisation, replayed for a repeat of the same request. Kept at least 24 hours (older rows are removed by the service). Consignment creation keeps its own table, idempotency_keys.';
COMMENT ON COLUMN idempotent_responses.request_sha256 IS 'SHA-256 of the method, path and canonical JSON body: the same key with another request is refused.';
