-- pg_dataexport 0.2 -> 0.3: inserts captured in the WHEN condition of
-- their trigger; the change log without its index.
--
-- In 0.2 one AFTER INSERT OR UPDATE OR DELETE row trigger captured every
-- change, so PostgreSQL queued an event for every inserted row and fetched
-- the row again at the end of the statement.  In 0.3 the INSERT trigger
-- captures the key in its WHEN condition, as soon as the row is written,
-- and the condition is false: nothing is queued, nothing fetched again
-- (capture.c).  UPDATE and DELETE keep a trigger without a condition;
-- TRUNCATE's is unchanged.  This script adds the WHEN function and gives
-- every registered table the new triggers in place of the 0.2 ones.  The
-- change log keeps its rows and loses its index (relid, txid): an index
-- entry per log row cost a single-row write as much as the log row itself,
-- and jobs now read the log whole, once per table.  Until this update runs,
-- the 0.3 library keeps capturing through the 0.2 trigger (and reads the
-- log without its index).
\echo Use "ALTER EXTENSION pg_dataexport UPDATE TO '0.3'" to load this file. \quit

DROP INDEX dataexport.change_log_relid_txid;

-- The WHEN condition of the INSERT trigger, which captures the row's key
-- itself as soon as the row is written, and is false, so that PostgreSQL
-- neither queues the trigger nor fetches the row again (capture.c).  Open
-- to every role, since every writer evaluates it; it checks that its caller
-- may insert into the table and passes its key columns.
CREATE FUNCTION dataexport._capture_insert(relation regclass, VARIADIC key "any")
RETURNS boolean AS 'MODULE_PATHNAME', 'pgde_capture_insert' LANGUAGE C VOLATILE;
REVOKE EXECUTE ON FUNCTION dataexport._capture_insert(regclass, "any") FROM PUBLIC;
GRANT EXECUTE ON FUNCTION dataexport._capture_insert(regclass, "any") TO PUBLIC;

-- The capture triggers of a table, made and removed in one place.
CREATE FUNCTION dataexport._capture_triggers_create(p_relation regclass, keys name[])
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    args text;
    news text;
BEGIN
    SELECT string_agg(quote_literal(k), ', ' ORDER BY o),
           string_agg('NEW.' || quote_ident(k), ', ' ORDER BY o)
      INTO args, news
      FROM unnest(keys) WITH ORDINALITY AS u(k, o);
    EXECUTE format('CREATE TRIGGER dataexport_capture_insert'
                   ' AFTER INSERT ON %s FOR EACH ROW'
                   ' WHEN (dataexport._capture_insert(%L::pg_catalog.regclass, %s))'
                   ' EXECUTE FUNCTION dataexport._capture(%s)',
                   p_relation, p_relation::text, news, args);
    EXECUTE format('CREATE TRIGGER dataexport_capture'
                   ' AFTER UPDATE OR DELETE ON %s FOR EACH ROW'
                   ' EXECUTE FUNCTION dataexport._capture(%s)', p_relation, args);
    EXECUTE format('CREATE TRIGGER dataexport_capture_truncate'
                   ' BEFORE TRUNCATE ON %s FOR EACH STATEMENT'
                   ' EXECUTE FUNCTION dataexport._capture(%s)', p_relation, args);
END
$$;

CREATE FUNCTION dataexport._capture_triggers_drop(p_relation regclass)
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t name;
BEGIN
    FOR t IN SELECT tg.tgname FROM pg_trigger tg
               WHERE tg.tgrelid = p_relation
                 AND tg.tgname IN ('dataexport_capture', 'dataexport_capture_insert',
                                   'dataexport_capture_truncate')
               ORDER BY tg.tgname LOOP
        EXECUTE format('DROP TRIGGER %I ON %s', t, p_relation);
    END LOOP;
END
$$;

REVOKE EXECUTE ON FUNCTION dataexport._capture_triggers_create(regclass, name[]) FROM PUBLIC;
REVOKE EXECUTE ON FUNCTION dataexport._capture_triggers_drop(regclass) FROM PUBLIC;

-- register_entity and unregister_entity through those two.
CREATE OR REPLACE FUNCTION dataexport._register_entity(caller oid, p_entity_type text,
                                            p_relation regclass, p_key_columns text[])
RETURNS void LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    rel      record;
    keys     name[];
    col      text;
    att      record;
    users    text;
BEGIN
    IF p_entity_type IS NULL THEN
        RAISE EXCEPTION 'entity_type must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_relation IS NULL THEN
        RAISE EXCEPTION 'relation must not be null' USING ERRCODE = '22004';
    END IF;
    IF p_entity_type !~ '^[A-Z][A-Z0-9_]{0,62}$' THEN
        RAISE EXCEPTION 'invalid entity_type "%"', left(p_entity_type, 100)
            USING ERRCODE = '22023',
                  HINT = 'An entity type is 1 to 63 upper-case letters, digits and underscores, starting with a letter, such as ACCOUNTS.';
    END IF;

    SELECT c.oid, c.relkind, c.relowner, c.relpersistence INTO rel
      FROM pg_class c WHERE c.oid = p_relation;
    IF rel.relkind <> 'r' THEN
        RAISE EXCEPTION '"%" is not a table', p_relation
            USING ERRCODE = '22023',
                  HINT = 'Only ordinary tables can be registered (not views, partitioned tables or foreign tables).';
    END IF;
    IF rel.relpersistence = 't' THEN
        RAISE EXCEPTION '"%" is a temporary table', p_relation
            USING ERRCODE = '22023',
                  HINT = 'Exports run in other sessions, which cannot see temporary tables.';
    END IF;
    IF NOT pg_has_role(caller, rel.relowner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', p_relation
            USING ERRCODE = '42501';
    END IF;

    IF EXISTS (SELECT 1 FROM dataexport.entity e WHERE e.entity_type = p_entity_type) THEN
        RAISE EXCEPTION 'entity type "%" is already registered', p_entity_type
            USING ERRCODE = '42710';
    END IF;
    SELECT e.entity_type INTO col FROM dataexport.entity e WHERE e.relation = p_relation;
    IF FOUND THEN
        RAISE EXCEPTION 'table % is already registered as entity type "%"', p_relation, col
            USING ERRCODE = '42710';
    END IF;

    IF p_key_columns IS NULL THEN
        SELECT array_agg(a.attname ORDER BY k.ord) INTO keys
          FROM pg_index i,
               unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord),
               pg_attribute a
         WHERE i.indrelid = p_relation AND i.indisprimary
           AND a.attrelid = p_relation AND a.attnum = k.attnum;
        IF keys IS NULL THEN
            RAISE EXCEPTION 'table % has no primary key', p_relation
                USING ERRCODE = '22023',
                      HINT = 'Add a primary key, or name the key columns in key_columns.';
        END IF;
    ELSE
        IF cardinality(p_key_columns) = 0 THEN
            RAISE EXCEPTION 'key_columns must not be empty'
                USING ERRCODE = '22023';
        END IF;
        IF array_ndims(p_key_columns) > 1 THEN
            RAISE EXCEPTION 'key_columns must be a one-dimensional array'
                USING ERRCODE = '22023';
        END IF;
        keys := '{}';
        FOREACH col IN ARRAY p_key_columns LOOP
            IF col IS NULL THEN
                RAISE EXCEPTION 'key_columns must not contain null'
                    USING ERRCODE = '22004';
            END IF;
            SELECT a.attname, a.attnotnull INTO att
              FROM pg_attribute a
             WHERE a.attrelid = p_relation AND a.attname = col
               AND a.attnum > 0 AND NOT a.attisdropped;
            IF NOT FOUND THEN
                RAISE EXCEPTION 'column "%" of key_columns does not exist in table %',
                                left(col, 100), p_relation
                    USING ERRCODE = '42703';
            END IF;
            IF NOT att.attnotnull THEN
                RAISE EXCEPTION 'key column "%" of table % may be null', col, p_relation
                    USING ERRCODE = '22023',
                          HINT = 'Key columns must be NOT NULL.';
            END IF;
            IF col = ANY (keys) THEN
                RAISE EXCEPTION 'key column "%" is named twice', col
                    USING ERRCODE = '22023';
            END IF;
            keys := keys || col::name;
        END LOOP;
        IF cardinality(keys) > 32 THEN
            RAISE EXCEPTION 'key_columns names % columns', cardinality(keys)
                USING ERRCODE = '54011',
                      HINT = 'A key has at most 32 columns, as a primary key does.';
        END IF;
    END IF;

    IF EXISTS (SELECT 1 FROM pg_attribute a
                WHERE a.attrelid = p_relation AND a.attname = 'deleted'
                  AND a.attnum > 0 AND NOT a.attisdropped) THEN
        RAISE EXCEPTION 'table % has a column named "deleted"', p_relation
            USING ERRCODE = '22023',
                  DETAIL = 'Exported files add a column "deleted" after the table''s columns.',
                  HINT = 'Rename the column, or register a view-free copy of the table.';
    END IF;

    INSERT INTO dataexport.entity (entity_type, relation, key_columns)
    VALUES (p_entity_type, p_relation, keys);

    PERFORM dataexport._capture_triggers_create(p_relation, keys);
END
$$;

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
        PERFORM dataexport._capture_triggers_drop(ent.relid::regclass);
    END IF;
    -- Changes of this transaction not yet in the log would land after the
    -- log's rows are removed.
    PERFORM dataexport._capture_flush();
    DELETE FROM dataexport.change_log l WHERE l.relid = ent.relid;
    DELETE FROM dataexport.entity e WHERE e.entity_type = p_entity_type;
END
$$;

-- Every registered table: the 0.3 triggers in place of the 0.2 ones, in
-- this transaction, so that no write falls between them.
DO $$
DECLARE
    e record;
BEGIN
    FOR e IN SELECT relation, key_columns FROM dataexport.entity ORDER BY entity_type LOOP
        PERFORM dataexport._capture_triggers_drop(e.relation);
        PERFORM dataexport._capture_triggers_create(e.relation, e.key_columns);
    END LOOP;
END
$$;
