-- test/bench/setup.sql: the benchmark's schema and data generator (run.sh).
--
-- The tables have the columns of the m3ter ACCOUNTS entity, as
-- dataexport.create_m3ter_model defines them (uuid keys, jsonb custom fields
-- and address, timestamptz audit columns, a text[] and an integer), with
-- values of the same shape: short names and codes, two- and five-key JSON
-- objects, about one account in ten with a parent (the row before it), one
-- in three with a purchase order number.  Row a's id is
-- md5(prefix || a)::uuid, prefix 'ACCOUNTS/' unless said otherwise, so a
-- script can address row a without a look-up table.

CREATE SCHEMA bench;

-- An accounts-shaped table named name in schema bench, with its key: the
-- definition of m3ter.accounts, for when the extension has no m3ter model.
CREATE FUNCTION bench.make_table(name text) RETURNS regclass
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format($ddl$
        CREATE TABLE bench.%I (
            id                           uuid PRIMARY KEY,
            version                      bigint DEFAULT 1,
            custom_fields                jsonb,
            name                         text,
            code                         text,
            address                      jsonb,
            email_address                text,
            parent_account_id            uuid,
            bill_epoch                   date,
            purchase_order_number        text,
            currency                     text,
            statement_definition_id      uuid,
            dt_created                   timestamptz DEFAULT now(),
            dt_last_modified             timestamptz DEFAULT now(),
            created_by                   text,
            last_modified_by             text,
            auto_generate_statement_mode text,
            credit_application_order     text[],
            days_before_bill_due         integer
        )$ddl$, name);
    RETURN format('bench.%I', name)::regclass;
END
$$;

-- A table named name in schema bench defined like src (columns, defaults,
-- key, indexes; not foreign keys nor triggers).
CREATE FUNCTION bench.copy_table(src regclass, name text) RETURNS regclass
LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE format('CREATE TABLE bench.%I (LIKE %s INCLUDING ALL)', name, src);
    RETURN format('bench.%I', name)::regclass;
END
$$;

-- Rows lo..hi of the accounts data set, as a query (ids from prefix).
CREATE FUNCTION bench.accounts_rows(lo bigint, hi bigint, prefix text DEFAULT 'ACCOUNTS/')
RETURNS SETOF record LANGUAGE sql STABLE AS $$
    SELECT md5(prefix || a)::uuid,
           1 + a % 3,
           jsonb_build_object('segment', (ARRAY['SMB', 'Mid-Market', 'Enterprise'])[1 + h % 3],
                              'salesRegion', (ARRAY['AMER', 'EMEA', 'APAC'])[1 + (h >> 4) % 3]),
           w1 || ' ' || w2 || ' ' || (ARRAY['Inc.', 'LLC', 'Ltd', 'GmbH', 'Corp.'])[1 + (h >> 8) % 5],
           lower(w1) || '-' || lower(w2) || '-' || a,
           jsonb_build_object('addressLine1', (1 + h % 997) || ' ' || (ARRAY['Main Street', 'High Street', 'Station Road', 'Park Avenue'])[1 + (h >> 12) % 4],
                              'locality', (ARRAY['New York', 'Austin', 'Berlin', 'London', 'Tokyo'])[1 + (h >> 14) % 5],
                              'region', (ARRAY['NY', 'TX', 'BE', 'LND', '13'])[1 + (h >> 14) % 5],
                              'postCode', lpad((h % 100000)::text, 5, '0'),
                              'country', (ARRAY['US', 'US', 'DE', 'GB', 'JP'])[1 + (h >> 14) % 5]),
           'billing@' || lower(w1) || '-' || lower(w2) || '-' || a || '.example',
           CASE WHEN a % 10 = 0 THEN md5(prefix || (a - 1))::uuid END,
           date_trunc('month', created)::date,
           CASE WHEN h % 3 = 0 THEN 'PO-' || (100000 + h % 900000) END,
           (ARRAY['USD', 'USD', 'USD', 'EUR', 'GBP', 'JPY'])[1 + (h >> 6) % 6],
           CASE WHEN h % 4 = 0 THEN md5('STATEMENT/' || h % 7)::uuid END,
           created,
           created + (a % 3) * interval '17 days',
           md5('USER/' || h % 3)::uuid::text,
           md5('USER/' || (h >> 2) % 3)::uuid::text,
           (ARRAY['NONE', 'NONE', 'JSON', 'JSON_AND_CSV'])[1 + (h >> 10) % 4],
           (ARRAY['{PREPAYMENT,BALANCE}', '{BALANCE,PREPAYMENT}', '{PREPAYMENT}'])[1 + (h >> 18) % 3]::text[],
           (ARRAY[30, 30, 14, 45, 60])[1 + (h >> 20) % 5]
      FROM generate_series(lo, hi) AS a,
           LATERAL (SELECT hashint8(a) & 2147483647 AS h) hh,
           LATERAL (SELECT (ARRAY['Apex', 'Blue', 'Cedar', 'Delta', 'Ember', 'Falcon', 'Granite', 'Harbor'])[1 + h % 8] AS w1,
                           (ARRAY['Analytics', 'Logistics', 'Labs', 'Systems', 'Health', 'Media'])[1 + (h >> 3) % 6] AS w2,
                           timestamptz '2023-01-01 00:00:00+00'
                             + (h % 39312000) * interval '1 second'
                             + (h % 1000) * interval '1 millisecond' AS created) ww
$$;

-- Fill table t with rows 1..n, in slices.
CREATE FUNCTION bench.fill(t regclass, n bigint, prefix text DEFAULT 'ACCOUNTS/') RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    lo bigint := 1;
BEGIN
    WHILE lo <= n LOOP
        EXECUTE format('INSERT INTO %s SELECT * FROM bench.accounts_rows($1, $2, $3) AS r('
                       'id uuid, version bigint, custom_fields jsonb, name text, code text,'
                       ' address jsonb, email_address text, parent_account_id uuid,'
                       ' bill_epoch date, purchase_order_number text, currency text,'
                       ' statement_definition_id uuid, dt_created timestamptz,'
                       ' dt_last_modified timestamptz, created_by text, last_modified_by text,'
                       ' auto_generate_statement_mode text, credit_application_order text[],'
                       ' days_before_bill_due integer)', t)
            USING lo, least(lo + 99999, n), prefix;
        lo := lo + 100000;
    END LOOP;
END
$$;

-- The measurements: one value per measure per run (run.sh), in the order
-- taken (ord).
CREATE TABLE bench.result (
    ord     serial,
    measure text NOT NULL,
    run     integer NOT NULL,
    value   double precision NOT NULL,
    unit    text NOT NULL,
    PRIMARY KEY (measure, run)
);
