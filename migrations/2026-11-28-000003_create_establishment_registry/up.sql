CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE establishment_imports (
    id uuid PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('orchard', 'packing_house', 'processing_plant', 'crocodile_farm', 'laboratory')),
    commodity text NOT NULL CHECK (commodity IN ('durian', 'coconut', 'crocodile')),
    list_date date NOT NULL,
    source text NOT NULL CHECK (length(btrim(source)) BETWEEN 1 AND 300),
    complete boolean NOT NULL,
    format text NOT NULL CHECK (format IN ('json', 'csv')),
    row_count integer NOT NULL CHECK (row_count >= 0),
    content_sha256 bytea NOT NULL CHECK (length(content_sha256) = 32),
    added integer NOT NULL CHECK (added >= 0),
    updated integer NOT NULL CHECK (updated >= 0),
    unchanged integer NOT NULL CHECK (unchanged >= 0),
    revoked integer NOT NULL CHECK (revoked >= 0),
    imported_by_key_id uuid REFERENCES api_keys (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE establishment_imports IS 'Published lists of establishments imported, with what each import changed. Referenced by the status periods it created.';
COMMENT ON COLUMN establishment_imports.complete IS 'The list named every approved establishment of its kind for its commodity, so those absent were revoked from list_date.';
COMMENT ON COLUMN establishment_imports.content_sha256 IS 'SHA-256 of the request body as received.';

CREATE TABLE establishments (
    id uuid PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('orchard', 'packing_house', 'processing_plant', 'crocodile_farm', 'laboratory')),
    code text NOT NULL CHECK (code <> '' AND code = upper(code) AND code !~ '\s'),
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 300),
    address text NOT NULL CHECK (length(btrim(address)) BETWEEN 1 AND 500),
    province text CHECK (length(btrim(province)) BETWEEN 1 AND 100),
    commodities text[] NOT NULL CHECK (cardinality(commodities) >= 1 AND commodities <@ ARRAY['durian', 'coconut', 'crocodile']),
    holder_organization_id uuid REFERENCES organizations (id),
    area_hectares double precision CHECK (area_hectares > 0 AND area_hectares <= 1000000),
    cites_registration text CHECK (length(btrim(cites_registration)) BETWEEN 1 AND 100),
    scopes text[] NOT NULL DEFAULT '{}' CHECK (scopes <@ ARRAY['cadmium', 'auramine_o']),
    source_list text NOT NULL CHECK (length(btrim(source_list)) BETWEEN 1 AND 300),
    source_date date NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (kind, code),
    CHECK (area_hectares IS NULL OR kind = 'orchard'),
    CHECK (cites_registration IS NULL OR kind = 'crocodile_farm'),
    CHECK ((kind = 'laboratory') = (cardinality(scopes) > 0))
);
CREATE INDEX establishments_code_trgm ON establishments USING gin (code gin_trgm_ops);
CREATE INDEX establishments_name_trgm ON establishments USING gin (name gin_trgm_ops);
CREATE INDEX establishments_province ON establishments (province, kind, code);
COMMENT ON TABLE establishments IS 'Registered establishments (orchards, packing houses, processing plants, crocodile farms, laboratories) that GACC approved, keyed by kind and normalised code.';
COMMENT ON COLUMN establishments.code IS 'Registration code, upper case without spaces (PUC for orchards, PHC for packing houses).';
COMMENT ON COLUMN establishments.commodities IS 'Commodities the establishment is registered for; its status is kept per commodity in establishment_status_periods.';
COMMENT ON COLUMN establishments.holder_organization_id IS 'The exporter organisation holding the code, when known; others need a code-use authorisation.';
COMMENT ON COLUMN establishments.source_list IS 'The published list or notice the current record comes from.';

CREATE TABLE establishment_status_periods (
    id uuid PRIMARY KEY,
    establishment_id uuid NOT NULL REFERENCES establishments (id),
    commodity text NOT NULL CHECK (commodity IN ('durian', 'coconut', 'crocodile')),
    status text NOT NULL CHECK (status IN ('approved', 'suspended', 'revoked')),
    -- Rank used to break same-day ties: the stricter status wins.
    severity smallint NOT NULL GENERATED ALWAYS AS (CASE status WHEN 'approved' THEN 0 WHEN 'suspended' THEN 1 ELSE 2 END) STORED,
    effective_from date NOT NULL,
    effective_until date CHECK (effective_until >= effective_from),
    reason text CHECK (length(reason) <= 1000),
    reference text NOT NULL CHECK (length(btrim(reference)) BETWEEN 1 AND 300),
    import_id uuid REFERENCES establishment_imports (id),
    created_by_key_id uuid REFERENCES api_keys (id),
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX establishment_status_periods_lookup
    ON establishment_status_periods (establishment_id, commodity, effective_from DESC, severity DESC);
COMMENT ON TABLE establishment_status_periods IS 'Status of an establishment for one commodity over a window of days (both ends inclusive). On a date, the covering period with the latest effective_from decides; same-day ties go to the stricter status.';
COMMENT ON COLUMN establishment_status_periods.effective_until IS 'Last day the status applies; NULL for open-ended.';
COMMENT ON COLUMN establishment_status_periods.reference IS 'Notice number or list that set this status.';

CREATE TABLE code_use_authorizations (
    id uuid PRIMARY KEY,
    establishment_id uuid NOT NULL REFERENCES establishments (id),
    holder_organization_id uuid NOT NULL REFERENCES organizations (id),
    authorized_organization_id uuid NOT NULL REFERENCES organizations (id),
    valid_from date NOT NULL,
    valid_until date NOT NULL CHECK (valid_until >= valid_from),
    document_reference text NOT NULL CHECK (length(btrim(document_reference)) BETWEEN 1 AND 300),
    created_by_key_id uuid REFERENCES api_keys (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK (holder_organization_id <> authorized_organization_id)
);
CREATE INDEX code_use_authorizations_lookup ON code_use_authorizations (establishment_id, authorized_organization_id, valid_from);
COMMENT ON TABLE code_use_authorizations IS 'Written permission from a code holder for another exporter to ship under its code for a period (PPD rule of January 2025). Both ends inclusive.';
