-- pg_dataexport 0.1 -> 0.2: the change log holds many entries to a row.
--
-- In 0.1 each change was a row of its own (key json, old_row json); in 0.2
-- a row holds the changes of one table by one transaction as arrays (keys
-- json[], old_rows json[]), so that a bulk INSERT or UPDATE writes one log
-- row for dozens of changes (see 10_catalog.sql and capture.c).  Every 0.1
-- entry becomes a row of one entry, with its seq; nothing else changes, and
-- jobs read both kinds of row alike.  The rewrite of the log locks it (and
-- so every write to a registered table) until the update commits.
\echo Use "ALTER EXTENSION pg_dataexport UPDATE TO '0.2'" to load this file. \quit

ALTER TABLE dataexport.change_log
    ALTER COLUMN seq DROP NOT NULL,
    ALTER COLUMN key TYPE json[] USING ARRAY[key],
    ALTER COLUMN old_row TYPE json[]
        USING CASE WHEN old_row IS NULL THEN NULL ELSE ARRAY[old_row] END;
ALTER TABLE dataexport.change_log RENAME COLUMN key TO keys;
ALTER TABLE dataexport.change_log RENAME COLUMN old_row TO old_rows;

-- Upserts are written at the end of each statement; unregister_entity
-- writes those of its own transaction before it removes the table's log.
CREATE FUNCTION dataexport._capture_flush() RETURNS void
    AS 'MODULE_PATHNAME', 'pgde_capture_flush' LANGUAGE C;
REVOKE EXECUTE ON FUNCTION dataexport._capture_flush() FROM PUBLIC;

CREATE OR REPLACE FUNCTION dataexport._unregister_entity(caller oid, p_entity_type text)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    ent   record;
    users text;
BEGIN
    IF p_entity_type IS NULL THEN
        RAISE EXCEPTION 'entity_type must not be null' USING ERRCODE = '22004';
    END IF;
    SELECT e.entity_type, e.relation::oid AS relid,
           (SELECT c.relowner FROM pg_class c WHERE c.oid = e.relation) AS relowner
      INTO ent
      FROM dataexport.entity e WHERE e.entity_type = p_entity_type
       FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'entity type "%" does not exist', left(p_entity_type, 100)
            USING ERRCODE = '42704';
    END IF;
    IF ent.relowner IS NOT NULL AND NOT pg_has_role(caller, ent.relowner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', ent.relid::regclass
            USING ERRCODE = '42501';
    END IF;
    SELECT string_agg(format('%s (%s)', s.schedule_id, s.name), ', ' ORDER BY s.schedule_id)
      INTO users
      FROM dataexport.schedule s WHERE p_entity_type = ANY (s.entity_types);
    IF users IS NOT NULL THEN
        RAISE EXCEPTION 'entity type "%" is used by schedules', p_entity_type
            USING ERRCODE = '55006',
                  DETAIL = 'Used by schedule ' || users || '.',
                  HINT = 'Remove the entity type from those schedules, or delete them, first.';
    END IF;

    IF ent.relowner IS NOT NULL THEN
        EXECUTE format('DROP TRIGGER IF EXISTS dataexport_capture ON %s', ent.relid::regclass);
        EXECUTE format('DROP TRIGGER IF EXISTS dataexport_capture_truncate ON %s', ent.relid::regclass);
    END IF;
    -- Changes of this transaction not yet in the log would land after the
    -- log's rows are removed.
    PERFORM dataexport._capture_flush();
    DELETE FROM dataexport.change_log l WHERE l.relid = ent.relid;
    DELETE FROM dataexport.entity e WHERE e.entity_type = p_entity_type;
END
$$;
