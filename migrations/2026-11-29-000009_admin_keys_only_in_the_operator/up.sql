-- Admin keys belong to the operator organisation only: an admin key in an exporter or an
-- authority organisation would act across every tenant. NOT VALID keeps rows issued before
-- (they no longer authenticate: the service checks the same rule) while refusing new ones.
ALTER TABLE api_keys ADD CONSTRAINT api_keys_admin_only_in_operator
    CHECK (role <> 'admin' OR organization_kind = 'operator') NOT VALID;
COMMENT ON CONSTRAINT api_keys_admin_only_in_operator ON api_keys IS
    'Admin keys only in the operator organisation; NOT VALID so keys issued before stay as records.';
