-- The minimal booking transaction, the reference bench/booking.py measures the app against
-- (issue 13): read the table's version, claim it with an optimistic UPDATE, insert the
-- reservation, insert its audit entry, commit. Five round trips, nothing else.
-- Variables (-D): day0, night, sitting, tenant, venue; t0..t199 are not needed: the table id
-- is built from the pair number as in bench/booking.py (table_uuid).
-- Each transaction takes the next (table, night) pair from the sequence pgbench_min_pairs.
BEGIN;
SELECT nextval('pgbench_min_pairs') - 1 AS n, gen_random_uuid() AS rid
\gset
\set t :n % 200
SELECT version AS ver FROM venue_tables
 WHERE id = ('00000000-0000-4000-8000-' || lpad(to_hex(:t::int), 12, '0'))::uuid
\gset
UPDATE venue_tables SET version = version + 1
 WHERE id = ('00000000-0000-4000-8000-' || lpad(to_hex(:t::int), 12, '0'))::uuid
   AND version = :ver;
INSERT INTO reservations (id, tenant_id, venue_id, night_id, sitting_id, status, starts_at,
    ends_at, expires_at, party_size, channel, created_by, currency, quoted_minimum,
    quoted_deposit, quote, token_hash, version, created_at, updated_at)
VALUES (:rid::uuid, :tenant::uuid, :venue::uuid, :night::uuid, :sitting::uuid, 'hold', now(),
    now() + interval '6 hours', now() + interval '10 minutes', 4, 'online', 'guest', 'GBP',
    30000, 0, '{}'::json, md5(:rid::text) || md5(:n::text), 1, now(), now());
INSERT INTO audit_entries (tenant_id, at, actor, action, entity, entity_id, before, after)
VALUES (:tenant::uuid, now(), 'guest', 'reservation.held', 'reservation', :rid::text, NULL,
    '{"status": "hold"}'::json);
COMMIT;
