-- The JSON every write stores (a declaration, then its audit state twice: pending, then sealed)
-- is over the 2 KB TOAST threshold, so PostgreSQL compresses it: with pglz that took about 3% of
-- the server's time under a write load. lz4 compresses several times faster for a slightly
-- larger result. Only values written from now on use it; older ones stay readable as they are.
-- A server built without lz4 keeps pglz: the migration must not stop the service from starting.
DO $$
BEGIN
    ALTER TABLE consignments ALTER COLUMN body SET COMPRESSION lz4;
    ALTER TABLE audit_pending ALTER COLUMN state SET COMPRESSION lz4;
    ALTER TABLE audit_events ALTER COLUMN state SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'this PostgreSQL has no lz4: JSON columns keep pglz compression';
END
$$;
