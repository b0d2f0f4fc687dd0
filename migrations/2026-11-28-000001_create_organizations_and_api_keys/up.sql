CREATE TABLE organizations (
    id uuid PRIMARY KEY,
    kind text NOT NULL CHECK (kind IN ('operator', 'exporter', 'authority')),
    name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    tax_code text UNIQUE CHECK (tax_code ~ '^[0-9]{10}(-[0-9]{3})?$'),
    authority text CHECK (authority IN ('PPD', 'DAH')),
    address text CHECK (length(btrim(address)) BETWEEN 1 AND 500),
    province text CHECK (length(btrim(province)) BETWEEN 1 AND 100),
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    -- Lets api_keys reference (id, kind) and so check role against kind in the database.
    UNIQUE (id, kind),
    CHECK (CASE kind
        WHEN 'exporter' THEN tax_code IS NOT NULL AND address IS NOT NULL AND province IS NOT NULL AND authority IS NULL
        WHEN 'authority' THEN authority IS NOT NULL AND tax_code IS NULL
        ELSE tax_code IS NULL AND authority IS NULL
    END)
);
CREATE UNIQUE INDEX organizations_single_operator ON organizations (kind) WHERE kind = 'operator';
CREATE INDEX organizations_created_at_id ON organizations (created_at, id);

COMMENT ON TABLE organizations IS 'Bodies that API keys speak for: exporting companies, the competent authorities (PPD, DAH) and the one operator of the service.';
COMMENT ON COLUMN organizations.kind IS 'operator (runs the service), exporter (Vietnamese company) or authority (PPD or DAH).';
COMMENT ON COLUMN organizations.tax_code IS 'Vietnamese enterprise tax code of an exporter: 10 digits, or 10-3 for a branch.';
COMMENT ON COLUMN organizations.authority IS 'For an authority: PPD (plant products) or DAH (animals).';
COMMENT ON COLUMN organizations.province IS 'Province of the registered address.';

INSERT INTO organizations (id, kind, name)
VALUES ('00000000-0000-0000-0000-000000000001', 'operator', 'agri-quarantine operator');

CREATE TABLE api_keys (
    id uuid PRIMARY KEY,
    organization_id uuid NOT NULL,
    organization_kind text NOT NULL,
    role text NOT NULL CHECK (role IN ('admin', 'exporter', 'inspector')),
    label text NOT NULL CHECK (length(btrim(label)) BETWEEN 1 AND 100),
    display_prefix text NOT NULL CHECK (length(display_prefix) = 11),
    key_hash bytea NOT NULL UNIQUE CHECK (length(key_hash) = 32),
    created_by_key_id uuid REFERENCES api_keys (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at timestamptz,
    revoked_by_key_id uuid REFERENCES api_keys (id),
    FOREIGN KEY (organization_id, organization_kind) REFERENCES organizations (id, kind),
    CHECK (role = 'admin'
        OR (role = 'exporter' AND organization_kind = 'exporter')
        OR (role = 'inspector' AND organization_kind = 'authority')),
    CHECK (revoked_by_key_id IS NULL OR revoked_at IS NOT NULL)
);
CREATE INDEX api_keys_organization_id ON api_keys (organization_id, created_at, id);
CREATE INDEX api_keys_admins ON api_keys (id) WHERE role = 'admin';

COMMENT ON TABLE api_keys IS 'API keys: one role each, owned by an organisation. Only the SHA-256 of the key is stored; the key itself is shown once.';
COMMENT ON COLUMN api_keys.organization_kind IS 'Copy of the owner''s kind, kept in step by the composite foreign key, so the role check can see it.';
COMMENT ON COLUMN api_keys.display_prefix IS 'First 11 characters of the key, shown so people can tell keys apart.';
COMMENT ON COLUMN api_keys.key_hash IS 'SHA-256 of the whole key text.';
COMMENT ON COLUMN api_keys.created_by_key_id IS 'Admin key that created this one; NULL when created from the command line or at first start.';
COMMENT ON COLUMN api_keys.last_used_at IS 'Last successful authentication, recorded at most once a minute.';
