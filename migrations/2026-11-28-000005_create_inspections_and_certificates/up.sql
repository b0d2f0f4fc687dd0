ALTER TABLE consignments DROP CONSTRAINT consignments_status_check;
ALTER TABLE consignments ADD CONSTRAINT consignments_status_check
    CHECK (status IN ('draft', 'submitted', 'returned', 'cancelled', 'approved', 'rejected'));
ALTER TABLE consignments ADD COLUMN decided_at timestamptz;
ALTER TABLE consignments ADD CONSTRAINT consignments_decided_check
    CHECK (status NOT IN ('approved', 'rejected') OR decided_at IS NOT NULL);
CREATE INDEX consignments_queue ON consignments (submitted_at, id) WHERE status = 'submitted';
COMMENT ON COLUMN consignments.decided_at IS 'When an inspector approved or rejected it.';

CREATE TABLE inspections (
    id uuid PRIMARY KEY,
    consignment_id uuid NOT NULL REFERENCES consignments (id),
    authority_organization_id uuid NOT NULL REFERENCES organizations (id),
    inspector_key_id uuid REFERENCES api_keys (id),
    inspected_on date NOT NULL,
    units_in_lot integer NOT NULL CHECK (units_in_lot > 0),
    units_sampled integer NOT NULL CHECK (units_sampled >= 0 AND units_sampled <= units_in_lot),
    required_sampling_rate double precision CHECK (required_sampling_rate > 0 AND required_sampling_rate <= 1),
    record jsonb NOT NULL CHECK (jsonb_typeof(record) = 'object'),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX inspections_consignment ON inspections (consignment_id, created_at);
COMMENT ON TABLE inspections IS 'Pre-export inspections: place, units sampled, findings (pests, soil, leaves), core temperature, clinical examinations; with the sampling rate required at the time.';
COMMENT ON COLUMN inspections.required_sampling_rate IS 'Share of units the protocol required for this exporter on the inspection date (2%, or 1% after two clean years); NULL for crocodiles.';

CREATE TABLE consignment_decisions (
    id uuid PRIMARY KEY,
    consignment_id uuid NOT NULL REFERENCES consignments (id),
    decision text NOT NULL CHECK (decision IN ('approved', 'rejected', 'returned')),
    reason_code text,
    reason text CHECK (length(reason) <= 2000),
    authority_organization_id uuid NOT NULL REFERENCES organizations (id),
    decided_by_key_id uuid REFERENCES api_keys (id),
    compliance_report jsonb,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (decision = 'approved' OR (reason IS NOT NULL AND length(btrim(reason)) > 0)),
    CHECK (decision <> 'rejected' OR reason_code IS NOT NULL)
);
CREATE INDEX consignment_decisions_consignment ON consignment_decisions (consignment_id, created_at);
COMMENT ON TABLE consignment_decisions IS 'Every approval, rejection and return, kept as history; a returned consignment can be edited and decided again.';

CREATE TABLE signing_keys (
    key_id text PRIMARY KEY CHECK (length(key_id) BETWEEN 1 AND 100),
    public_key bytea NOT NULL UNIQUE CHECK (length(public_key) = 32),
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE signing_keys IS 'Public halves of every Ed25519 key that has signed a certificate, published at /v1/signing-keys.';

CREATE TABLE certificate_counters (
    certificate_kind text NOT NULL CHECK (certificate_kind IN ('phytosanitary', 'veterinary')),
    year integer NOT NULL CHECK (year BETWEEN 2000 AND 2999),
    last_serial bigint NOT NULL CHECK (last_serial >= 0),
    PRIMARY KEY (certificate_kind, year)
);
COMMENT ON TABLE certificate_counters IS 'Last certificate serial per type and year. Incremented inside the issuing transaction, whose row lock serialises concurrent issuers, so numbers have no gaps even across service instances.';

CREATE TABLE certificates (
    id uuid PRIMARY KEY,
    number text NOT NULL UNIQUE,
    certificate_kind text NOT NULL CHECK (certificate_kind IN ('phytosanitary', 'veterinary')),
    year integer NOT NULL,
    serial bigint NOT NULL CHECK (serial > 0),
    consignment_id uuid NOT NULL REFERENCES consignments (id),
    organization_id uuid NOT NULL REFERENCES organizations (id),
    authority text NOT NULL CHECK (authority IN ('PPD', 'DAH')),
    authority_organization_id uuid NOT NULL REFERENCES organizations (id),
    issued_at timestamptz NOT NULL,
    payload bytea NOT NULL,
    payload_sha256 bytea NOT NULL CHECK (length(payload_sha256) = 32),
    signature bytea NOT NULL CHECK (length(signature) = 64),
    key_id text NOT NULL REFERENCES signing_keys (key_id),
    status text NOT NULL CHECK (status IN ('valid', 'revoked', 'replaced')),
    revoked_at timestamptz,
    revocation_reason text CHECK (length(revocation_reason) <= 2000),
    replaces_number text UNIQUE REFERENCES certificates (number),
    -- Deferred: a replaced certificate names its successor, inserted later in the same transaction.
    replaced_by_number text REFERENCES certificates (number) DEFERRABLE INITIALLY DEFERRED,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (certificate_kind, year, serial),
    CHECK (status <> 'revoked' OR (revoked_at IS NOT NULL AND revocation_reason IS NOT NULL)),
    CHECK (status <> 'replaced' OR replaced_by_number IS NOT NULL)
);
CREATE UNIQUE INDEX certificates_one_valid_per_consignment ON certificates (consignment_id) WHERE status = 'valid';
CREATE INDEX certificates_organization ON certificates (organization_id, issued_at, id);
CREATE INDEX certificates_authority ON certificates (authority, issued_at, id);
COMMENT ON TABLE certificates IS 'Issued certificates. The payload is the canonical JSON content, signed with Ed25519 as stored; a trigger refuses deletion and any change but the one-way status change to revoked or replaced.';
COMMENT ON COLUMN certificates.payload IS 'Canonical JSON bytes of the certificate content, exactly as signed.';

CREATE FUNCTION certificates_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'certificates are never deleted' USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF (NEW.number, NEW.certificate_kind, NEW.year, NEW.serial, NEW.consignment_id, NEW.organization_id, NEW.authority,
        NEW.authority_organization_id, NEW.issued_at, NEW.payload, NEW.payload_sha256, NEW.signature, NEW.key_id,
        NEW.replaces_number, NEW.created_at)
       IS DISTINCT FROM
       (OLD.number, OLD.certificate_kind, OLD.year, OLD.serial, OLD.consignment_id, OLD.organization_id, OLD.authority,
        OLD.authority_organization_id, OLD.issued_at, OLD.payload, OLD.payload_sha256, OLD.signature, OLD.key_id,
        OLD.replaces_number, OLD.created_at)
       OR OLD.status <> 'valid' THEN
        RAISE EXCEPTION 'certificates are never edited: only a valid certificate''s status may change' USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
$$;
COMMENT ON FUNCTION certificates_guard() IS 'Keeps issued certificates immutable but for revocation or replacement.';
CREATE TRIGGER certificates_immutable BEFORE UPDATE OR DELETE ON certificates
    FOR EACH ROW EXECUTE FUNCTION certificates_guard();
