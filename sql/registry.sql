-- Entity types (SPEC section 3): registering a table starts change tracking;
-- the key defaults to the primary key.

-- A helper that shows an error's SQLSTATE and message instead of failing.
CREATE OR REPLACE FUNCTION try(sql text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ': ' || SQLERRM;
END
$$;

CREATE TABLE accounts (id uuid PRIMARY KEY, code text NOT NULL, name text);
CREATE TABLE ledger (account_code text NOT NULL, seq integer NOT NULL, amount numeric,
                     UNIQUE (account_code, seq));
CREATE TABLE nokey (a integer, b text);
CREATE TABLE has_deleted (id integer PRIMARY KEY, deleted boolean);
CREATE VIEW a_view AS SELECT * FROM accounts;

SELECT dataexport.register_entity('ACCOUNTS', 'accounts');
-- Explicit key columns, for a table without a primary key.
SELECT dataexport.register_entity('LEDGER', 'ledger', ARRAY['account_code', 'seq']);
SELECT entity_type, relation, key_columns FROM dataexport.entities ORDER BY 1;

-- Registering installs the capture triggers.
SELECT tgrelid::regclass, tgname FROM pg_trigger
 WHERE tgname LIKE 'dataexport%' ORDER BY 1, 2;

-- Bad registrations: each refused, nothing registered.
SELECT try($$SELECT dataexport.register_entity('ACCOUNTS', 'ledger')$$);
SELECT try($$SELECT dataexport.register_entity('ACCOUNTS2', 'accounts')$$);
SELECT try($$SELECT dataexport.register_entity('accounts', 'nokey')$$);
SELECT try($$SELECT dataexport.register_entity('2ACCOUNTS', 'nokey')$$);
SELECT try($$SELECT dataexport.register_entity('A; DROP TABLE nokey', 'nokey')$$);
SELECT try($$SELECT dataexport.register_entity(repeat('A', 64), 'nokey')$$);
SELECT try($$SELECT dataexport.register_entity(NULL, 'nokey')$$);
SELECT try($$SELECT dataexport.register_entity('NOKEY', NULL)$$);
SELECT try($$SELECT dataexport.register_entity('NOKEY', 'nokey')$$);
SELECT try($$SELECT dataexport.register_entity('NOKEY', 'nokey', ARRAY['a'])$$);
SELECT try($$SELECT dataexport.register_entity('NOKEY', 'nokey', ARRAY['zz'])$$);
SELECT try($$SELECT dataexport.register_entity('NOKEY', 'nokey', ARRAY[]::text[])$$);
SELECT try($$SELECT dataexport.register_entity('NOKEY', 'nokey', ARRAY[NULL]::text[])$$);
SELECT try($$SELECT dataexport.register_entity('VIEWS', 'a_view')$$);
SELECT try($$SELECT dataexport.register_entity('HAS_DELETED', 'has_deleted')$$);
SELECT try($$SELECT dataexport.register_entity('MISSING', 'no_such_table')$$);
SELECT count(*) AS registered FROM dataexport.entities;

-- Only the table's owner may register it.
CREATE ROLE reg_other;
GRANT SELECT ON nokey TO reg_other;
ALTER TABLE nokey ADD PRIMARY KEY (a);
SET ROLE reg_other;
SELECT try($$SELECT dataexport.register_entity('NOKEY', 'nokey')$$);
-- Nor can the catalog be written or read directly.
SELECT try($$INSERT INTO dataexport.entity VALUES ('NOKEY', 'nokey', '{a}')$$);
SELECT try($$SELECT * FROM dataexport.change_log$$);
SELECT try($$SELECT dataexport._register_entity('reg_other'::regrole, 'NOKEY', 'nokey', NULL)$$);
-- Writes to a registered table are captured whoever writes.
RESET ROLE;
GRANT INSERT ON accounts TO reg_other;
SET ROLE reg_other;
INSERT INTO accounts VALUES ('00000000-0000-0000-0000-000000000001', 'A1', 'first');
RESET ROLE;
SELECT relid::regclass, e.key, e.old_row
  FROM dataexport.change_log, unnest(keys, old_rows) AS e(key, old_row) ORDER BY seq;

-- Unregistering stops tracking; refused while a schedule uses the type.
SELECT dataexport.create_schedule('uses ledger', ARRAY['LEDGER'], 'DAY', 1) AS sid \gset
SELECT try($$SELECT dataexport.unregister_entity('LEDGER')$$);
SELECT dataexport.delete_schedule(:sid);
SELECT dataexport.unregister_entity('LEDGER');
SELECT try($$SELECT dataexport.unregister_entity('LEDGER')$$);
SELECT try($$SELECT dataexport.unregister_entity(NULL)$$);
SELECT entity_type FROM dataexport.entities;
SELECT tgrelid::regclass, tgname FROM pg_trigger WHERE tgname LIKE 'dataexport%' ORDER BY 1, 2;
INSERT INTO ledger VALUES ('A1', 1, 2.50);
SELECT count(*) AS ledger_entries FROM dataexport.change_log WHERE relid = 'ledger'::regclass;

SELECT dataexport.unregister_entity('ACCOUNTS');
REVOKE ALL ON accounts, nokey FROM reg_other;
DROP ROLE reg_other;
DROP VIEW a_view;
DROP TABLE accounts, ledger, nokey, has_deleted;
