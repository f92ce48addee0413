-- m3ter_model: dataexport.create_m3ter_model builds the 20 m3ter entity
-- tables and registers them under their m3ter type names;
-- dataexport.generate_m3ter_data fills them with reproducible demo data.

-- Errors are shown as SQLSTATE: message (DETAIL / HINT when there are any).
CREATE FUNCTION pg_temp.try(sql text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    state text; msg text; detail text; hint text;
BEGIN
    EXECUTE sql;
    RETURN 'ok';
EXCEPTION WHEN OTHERS THEN
    GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
                            detail = PG_EXCEPTION_DETAIL, hint = PG_EXCEPTION_HINT;
    RETURN state || ': ' || msg
        || coalesce(E'\nDETAIL: ' || nullif(detail, ''), '')
        || coalesce(E'\nHINT: ' || nullif(hint, ''), '');
END $$;

CREATE ROLE regress_m3ter_owner;      -- creates the model: needs CREATE on the database
CREATE ROLE regress_m3ter_nobody;     -- has no CREATE on the database
CREATE ROLE regress_m3ter_loader;     -- may only insert into the model
GRANT USAGE ON SCHEMA dataexport
   TO regress_m3ter_owner, regress_m3ter_nobody, regress_m3ter_loader;
DO $$ BEGIN
    EXECUTE format('GRANT CREATE ON DATABASE %I TO regress_m3ter_owner', current_database());
END $$;

-- Bad arguments: nothing is created.
SELECT pg_temp.try($$SELECT dataexport.create_m3ter_model(NULL)$$);
SELECT pg_temp.try($$SELECT dataexport.create_m3ter_model('')$$);
SELECT pg_temp.try($$SELECT dataexport.create_m3ter_model('dataexport')$$);

-- Creating the model needs CREATE on the database.
SET ROLE regress_m3ter_nobody;
SELECT regexp_replace(pg_temp.try($$SELECT dataexport.create_m3ter_model('m3ter_nobody')$$),
                      'DATABASE \S+ TO', 'DATABASE <db> TO');
RESET ROLE;
SELECT count(*) AS schemas FROM pg_namespace WHERE nspname = 'm3ter_nobody';

-- A schema already holding one of the tables: an error, and nothing created.
CREATE SCHEMA m3ter_clash AUTHORIZATION regress_m3ter_owner;
CREATE TABLE m3ter_clash.bills (id uuid);
ALTER TABLE m3ter_clash.bills OWNER TO regress_m3ter_owner;
SET ROLE regress_m3ter_owner;
SELECT pg_temp.try($$SELECT dataexport.create_m3ter_model('m3ter_clash')$$);
RESET ROLE;
SELECT count(*) AS tables FROM pg_class
 WHERE relnamespace = 'm3ter_clash'::regnamespace AND relkind = 'r';
DROP SCHEMA m3ter_clash CASCADE;

-- The model, in the default schema m3ter, created by a role that may create
-- schemas in this database: it owns the schema and the tables.
SET ROLE regress_m3ter_owner;
SELECT dataexport.create_m3ter_model();
RESET ROLE;
SELECT nspowner::regrole AS schema_owner FROM pg_namespace WHERE nspname = 'm3ter';
SELECT relowner::regrole AS table_owner, count(*) AS tables
  FROM pg_class WHERE relnamespace = 'm3ter'::regnamespace AND relkind = 'r'
 GROUP BY 1;

-- The 20 tables: the catalogue's fields plus the added columns
-- (BALANCE_TRANSACTIONS gets balance_id).
WITH catalogue(relname, fields, added) AS (VALUES
    ('account_plans', 17, 0), ('accounts', 19, 0), ('aggregations', 20, 0),
    ('balance_transactions', 15, 1), ('balances', 26, 0),
    ('bill_line_items', 46, 0), ('bills', 37, 0), ('charges', 25, 0),
    ('commitments', 32, 0), ('compound_aggregations', 17, 0),
    ('contracts', 17, 0), ('meters', 13, 0), ('plan_group_links', 8, 0),
    ('plan_groups', 19, 0), ('plan_templates', 22, 0), ('plans', 22, 0),
    ('pricing', 26, 0), ('pricing_bands', 8, 0), ('products', 9, 0),
    ('transaction_types', 9, 0))
SELECT cat.relname, cat.fields + cat.added AS expected, count(a.attnum) AS columns
  FROM catalogue cat
  LEFT JOIN pg_class c
    ON c.relname = cat.relname AND c.relnamespace = 'm3ter'::regnamespace
  LEFT JOIN pg_attribute a
    ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 GROUP BY cat.relname, cat.fields, cat.added
 ORDER BY cat.relname;

-- Column names are the fields in snake_case, in catalogue order; types map
-- from the m3ter types.
SELECT attnum, attname, format_type(atttypid, atttypmod) AS type,
       col_description(attrelid, attnum) AS comment
  FROM pg_attribute WHERE attrelid = 'm3ter.accounts'::regclass AND attnum > 0
 ORDER BY attnum;
SELECT attname, format_type(atttypid, atttypmod) AS type
  FROM pg_attribute
 WHERE attrelid = 'm3ter.bills'::regclass
   AND attname IN ('start_date_time_utc', 'bill_total', 'line_items', 'bill_frequency_interval')
 ORDER BY attnum;
SELECT attnum, attname, format_type(atttypid, atttypmod) AS type,
       col_description(attrelid, attnum) AS comment
  FROM pg_attribute
 WHERE attrelid = 'm3ter.balance_transactions'::regclass AND attnum > 13
 ORDER BY attnum;
SELECT format_type(atttypid, atttypmod) AS type, count(*) AS columns
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace = 'm3ter'::regnamespace AND c.relkind = 'r' AND a.attnum > 0
 GROUP BY 1 ORDER BY 1;
SELECT col_description('m3ter.bills'::regclass, 11) AS enum_column_comment;

-- Every table's primary key is id; the catalogue's references are foreign
-- keys (61 of them), self references included.
SELECT count(*) AS primary_keys_on_id FROM pg_constraint
 WHERE contype = 'p' AND connamespace = 'm3ter'::regnamespace AND conkey = '{1}';
SELECT count(*) AS foreign_keys FROM pg_constraint
 WHERE contype = 'f' AND connamespace = 'm3ter'::regnamespace;
SELECT conrelid::regclass AS "table", pg_get_constraintdef(oid) AS foreign_key
  FROM pg_constraint
 WHERE contype = 'f'
   AND conrelid IN ('m3ter.accounts'::regclass, 'm3ter.balance_transactions'::regclass,
                    'm3ter.pricing_bands'::regclass, 'm3ter.charges'::regclass)
 ORDER BY 1, 2;
SELECT indexrelid::regclass AS index_for_a_foreign_key
  FROM pg_index WHERE indrelid = 'm3ter.bills'::regclass AND NOT indisprimary;

-- Each table is registered under its m3ter type name.
SELECT entity_type, relation FROM dataexport.entities
 WHERE relation::text LIKE 'm3ter.%' ORDER BY entity_type;

-- A second model would register the same type names: refused, nothing created.
SET ROLE regress_m3ter_owner;
SELECT pg_temp.try($$SELECT dataexport.create_m3ter_model('m3ter_again')$$);
RESET ROLE;
SELECT count(*) AS schemas FROM pg_namespace WHERE nspname = 'm3ter_again';

-- Generating data: bad arguments first.
SELECT pg_temp.try($$SELECT dataexport.generate_m3ter_data(NULL, 10)$$);
SELECT pg_temp.try($$SELECT dataexport.generate_m3ter_data('m3ter', NULL)$$);
SELECT pg_temp.try($$SELECT dataexport.generate_m3ter_data('m3ter', -1)$$);
SELECT pg_temp.try($$SELECT dataexport.generate_m3ter_data('no_such_schema', 10)$$);

-- 100 accounts, as the owner.
SET ROLE regress_m3ter_owner;
SELECT dataexport.generate_m3ter_data('m3ter', 100);
RESET ROLE;

-- A model that already holds data is refused.
SELECT pg_temp.try($$SELECT dataexport.generate_m3ter_data('m3ter', 10)$$);

-- Keep a copy of every table, then empty the model.
DO $$
DECLARE t text;
BEGIN
    FOR t IN SELECT relname FROM pg_class
              WHERE relnamespace = 'm3ter'::regnamespace AND relkind = 'r'
    LOOP
        EXECUTE format('CREATE TEMP TABLE %I AS SELECT * FROM m3ter.%I', 'saved_' || t, t);
    END LOOP;
END $$;
SET ROLE regress_m3ter_owner;
DO $$ BEGIN
    EXECUTE (SELECT 'TRUNCATE ' || string_agg(c.oid::regclass::text, ', ')
               FROM pg_class c
              WHERE c.relnamespace = 'm3ter'::regnamespace AND c.relkind = 'r');
END $$;

-- 200 accounts, this time by a role that may only insert (and select): the
-- foreign keys then stay in place and check every row as it is inserted.
-- And in another time zone: the data does not depend on it.
GRANT USAGE ON SCHEMA m3ter TO regress_m3ter_loader;
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA m3ter TO regress_m3ter_loader;
RESET ROLE;
SET ROLE regress_m3ter_loader;
SET TimeZone = 'Asia/Kolkata';
SELECT dataexport.generate_m3ter_data('m3ter', 200);
RESET TimeZone;
RESET ROLE;

-- Row counts.  The price book (products, meters, plans, pricing, ...) grows
-- slowly with the accounts, the customer tables in proportion.
SELECT c.relname,
       (xpath('/row/n/text()',
              query_to_xml(format('SELECT count(*) AS n FROM m3ter.%I', c.relname),
                           false, true, '')))[1]::text::bigint AS "rows"
  FROM pg_class c
 WHERE c.relnamespace = 'm3ter'::regnamespace AND c.relkind = 'r'
 ORDER BY c.relname;

-- Reproducible: every row of the 100-account run is in the 200-account run,
-- unchanged: with the same price book (below 50,000 accounts) the first 100
-- accounts are the same at any scale, and in any session time zone.
DO $$
DECLARE t text; n bigint; total bigint := 0;
BEGIN
    FOR t IN SELECT relname FROM pg_class
              WHERE relnamespace = 'm3ter'::regnamespace AND relkind = 'r'
    LOOP
        EXECUTE format('SELECT count(*) FROM (SELECT * FROM %I EXCEPT ALL SELECT * FROM m3ter.%I) d',
                       'saved_' || t, t) INTO n;
        IF n > 0 THEN
            RAISE NOTICE '%: % rows of the first run are missing or changed', t, n;
        END IF;
        EXECUTE format('SELECT count(*) FROM %I', 'saved_' || t) INTO n;
        total := total + n;
    END LOOP;
    RAISE NOTICE 'compared % rows of the first run', total;
END $$;

-- Integrity: the foreign keys are all there and valid, and so are the
-- indexes; the arrays of product ids point at products.
SELECT count(*) AS foreign_keys, bool_and(convalidated) AS all_validated
  FROM pg_constraint WHERE contype = 'f' AND connamespace = 'm3ter'::regnamespace;
SELECT count(*) AS indexes FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
 WHERE c.relnamespace = 'm3ter'::regnamespace;
SELECT count(*) AS dangling_product_ids
  FROM (SELECT unnest(product_ids) AS id FROM m3ter.commitments
        UNION ALL SELECT unnest(product_ids) FROM m3ter.balances) p
 WHERE NOT EXISTS (SELECT FROM m3ter.products WHERE products.id = p.id);

-- Consistency: a bill's total is the sum of its line items (converted to
-- the bill's currency); usage lines use a pricing of their plan; each charge
-- is billed by one line item; the pricing's embedded bands are its band rows.
SELECT count(*) AS bills_not_adding_up
  FROM m3ter.bills b
 WHERE b.bill_total IS DISTINCT FROM
       (SELECT sum(l.converted_subtotal) FROM m3ter.bill_line_items l WHERE l.bill_id = b.id);
SELECT count(*) AS usage_lines, count(*) FILTER (WHERE p.plan_id <> l.plan_id) AS pricing_of_another_plan
  FROM m3ter.bill_line_items l JOIN m3ter.pricing p ON p.id = l.pricing_id;
SELECT count(*) AS charges,
       count(*) FILTER (WHERE (SELECT count(*) FROM m3ter.bill_line_items l
                                WHERE l.charge_id = c.id AND l.bill_id = c.bill_id) = 1) AS billed_once
  FROM m3ter.charges c;
SELECT count(*) AS pricing_with_other_bands
  FROM m3ter.pricing p
 WHERE (SELECT array_agg((e->>'id')::uuid ORDER BY (e->>'id')) FROM jsonb_array_elements(p.pricing_bands) e)
       IS DISTINCT FROM
       (SELECT array_agg(b.id ORDER BY b.id::text) FROM m3ter.pricing_bands b
         WHERE b.pricing_id = p.id AND b.type = 'STANDARD');
SELECT count(*) AS child_accounts,
       count(*) FILTER (WHERE parent.parent_account_id IS NULL) AS parent_is_top_level
  FROM m3ter.accounts child JOIN m3ter.accounts parent ON parent.id = child.parent_account_id;

-- Enum columns hold only the values the catalogue allows (listed in each
-- column's comment).
DO $$
DECLARE r record; used bigint; bad bigint;
BEGIN
    FOR r IN SELECT c.oid::regclass AS rel, a.attname, a.attndims > 0 OR t.typcategory = 'A' AS is_array,
                    string_to_array(substring(col_description(c.oid, a.attnum) FROM 'one of: (.*)$'), ', ') AS allowed
               FROM pg_class c
               JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0
               JOIN pg_type t ON t.oid = a.atttypid
              WHERE c.relnamespace = 'm3ter'::regnamespace AND c.relkind = 'r'
                AND col_description(c.oid, a.attnum) LIKE '%one of: %'
              ORDER BY 1, 2
    LOOP
        IF r.is_array THEN
            EXECUTE format('SELECT count(DISTINCT v), count(*) FILTER (WHERE v <> ALL ($1))
                              FROM %s, unnest(%I) AS v', r.rel, r.attname)
               INTO used, bad USING r.allowed;
        ELSE
            EXECUTE format('SELECT count(DISTINCT %1$I), count(*) FILTER (WHERE %1$I <> ALL ($1))
                              FROM %2$s', r.attname, r.rel)
               INTO used, bad USING r.allowed;
        END IF;
        RAISE NOTICE '%.%: % of % values used, % rows outside the enum',
            r.rel, r.attname, used, cardinality(r.allowed), bad;
    END LOOP;
END $$;

-- What the data looks like.
SELECT name, code, email_address, currency, address->>'locality' AS city,
       custom_fields, days_before_bill_due
  FROM m3ter.accounts ORDER BY code LIMIT 5;
SELECT a.code AS account, to_char(b.start_date, 'YYYY-MM') AS month, b.status, b.currency, b.bill_total,
       l.sequence_number, l.line_item_type, l.quantity, l.subtotal, l.converted_subtotal
  FROM m3ter.accounts a
  JOIN m3ter.bills b ON b.account_id = a.id
  JOIN m3ter.bill_line_items l ON l.bill_id = b.id
 WHERE a.code LIKE '%-60'
 ORDER BY b.start_date, l.sequence_number;
SELECT name, code, standing_charge, bespoke, account_id IS NOT NULL AS for_one_account
  FROM m3ter.plans ORDER BY code LIMIT 4;
SELECT b.lower_limit, b.unit_price, b.type
  FROM m3ter.pricing p JOIN m3ter.pricing_bands b ON b.pricing_id = p.id
 WHERE p.code = 'compute_starter_usage' ORDER BY b.type DESC, b.lower_limit;

-- Clean up.
SET client_min_messages = warning;
DO $$
DECLARE t text;
BEGIN
    FOR t IN SELECT entity_type FROM dataexport.entities WHERE relation::text LIKE 'm3ter.%'
    LOOP
        PERFORM dataexport.unregister_entity(t);
    END LOOP;
END $$;
DROP SCHEMA m3ter CASCADE;
DO $$ BEGIN
    EXECUTE format('REVOKE CREATE ON DATABASE %I FROM regress_m3ter_owner', current_database());
END $$;
REVOKE USAGE ON SCHEMA dataexport
  FROM regress_m3ter_owner, regress_m3ter_nobody, regress_m3ter_loader;
DROP ROLE regress_m3ter_owner, regress_m3ter_nobody, regress_m3ter_loader;
RESET client_min_messages;
