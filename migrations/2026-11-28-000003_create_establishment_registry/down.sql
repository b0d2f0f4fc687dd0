DROP TABLE code_use_authorizations;
DROP TABLE establishment_status_periods;
DROP TABLE establishments;
DROP TABLE establishment_imports;
