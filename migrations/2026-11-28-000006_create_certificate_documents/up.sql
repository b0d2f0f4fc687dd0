CREATE TABLE certificate_documents (
    certificate_number text NOT NULL REFERENCES certificates (number),
    variant text NOT NULL CHECK (variant ~ '^(valid|revoked|replaced)-copies-[0-2]$'),
    media_type text NOT NULL CHECK (media_type = 'application/pdf'),
    content bytea NOT NULL,
    content_sha256 bytea NOT NULL CHECK (length(content_sha256) = 32),
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (certificate_number, variant)
);
COMMENT ON TABLE certificate_documents IS 'Rendered certificate PDFs, cached per certificate, status and number of copies, so a repeated download is not rendered again. Derived data: safe to delete.';
