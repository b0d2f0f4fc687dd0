-- The event feed: which organisation each feed event is for. Filled by the audit sealer in the
-- transaction that seals the event, so the feed (GET /v1/events) follows the sealed chain and
-- an event, once visible, never has an earlier neighbour appear before it.
CREATE TABLE event_recipients (
    organization_id uuid NOT NULL REFERENCES organizations (id),
    -- No foreign key to audit_events: it would let TRUNCATE fail on the key before the
    -- append-only trigger says why; the sealer writes both in one transaction.
    seq bigint NOT NULL CHECK (seq > 0),
    PRIMARY KEY (organization_id, seq)
);
COMMENT ON TABLE event_recipients IS 'Who a feed event (an audit event of a type the feed publishes) is for: the exporter, the competent authority''s organisations or a code''s holder. Written when the event is sealed; events sealed before this table existed have no recipients.';
