CREATE TABLE certificate_verification_codes (
    certificate_number text PRIMARY KEY REFERENCES certificates (number),
    code text NOT NULL CHECK (code ~ '^[0-9a-f]{20}$'),
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE certificate_verification_codes IS 'The random verification code of each certificate (80 bits), printed on it and carried by its QR code. Verification by number alone answers only status, kind, date, authority, produce and quantity; with the code it answers the full signed content. Kept apart from certificates, whose rows never change.';

-- Certificates issued before codes existed get one now (gen_random_uuid draws from a strong source).
INSERT INTO certificate_verification_codes (certificate_number, code)
SELECT number, substr(encode(sha256(convert_to(gen_random_uuid()::text || gen_random_uuid()::text, 'UTF8')), 'hex'), 1, 20)
FROM certificates;
