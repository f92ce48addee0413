#!/usr/bin/env python3
"""Generate src/sql/60_m3ter.sql: the m3ter operational data model.

Reads tools/m3ter-entities.json (the field catalogue of the 20 m3ter entity
types, a copy of shared/m3ter-entities.json) and writes two functions:

  dataexport.create_m3ter_model(schema_name)
      the 20 tables, their keys, foreign keys, indexes and comments, and
      their registration as entity types;
  dataexport.generate_m3ter_data(schema_name, accounts)
      deterministic, plausible data for all 20 tables, set-based, scaled by
      the number of accounts.

The table definitions come from the catalogue; the data recipes are written
below, column by column, and checked against the catalogue (every column
named exists, every enum literal is one the catalogue allows).

Usage:
    tools/gen_m3ter_model.py           rewrite src/sql/60_m3ter.sql
    tools/gen_m3ter_model.py --check   exit 1 if that file is out of date
"""

import json
import os
import re
import sys
from decimal import Decimal as D

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CATALOGUE = os.path.join(ROOT, 'tools', 'm3ter-entities.json')
OUTPUT = os.path.join(ROOT, 'src', 'sql', '60_m3ter.sql')


def fail(msg):
    sys.exit('gen_m3ter_model.py: ' + msg)


# ---------------------------------------------------------------------------
# The model: catalogue fields -> PostgreSQL columns
# ---------------------------------------------------------------------------

# The JSON does not say what an array holds; shared/m3ter-entities.md does.
# Arrays with `enum` hold enum strings and arrays with `references` hold ids;
# the rest are listed here, so that a catalogue change fails loudly.
STRING_ARRAYS = {('AGGREGATIONS', 'segmentedFields')}
OBJECT_ARRAYS = {
    ('BILLS', 'currencyConversions'), ('BILLS', 'lineItems'),
    ('COMMITMENTS', 'feeDates'), ('CONTRACTS', 'usageFilters'),
    ('AGGREGATIONS', 'segments'), ('PRICING', 'pricingBands'),
    ('PRICING', 'overagePricingBands'), ('BILL_LINE_ITEMS', 'bandUsage'),
    ('METERS', 'dataFields'), ('METERS', 'derivedFields'),
    ('COMPOUND_AGGREGATIONS', 'segments'),
}

# Columns the API keeps outside the response body (SPEC section 3).
ADDITIONS = {
    'BALANCE_TRANSACTIONS': [{
        'name': 'balanceId', 'type': 'string', 'format': None, 'enum': None,
        'required': False, 'references': 'BALANCES',
        'note': 'added: the balance this transaction belongs to (the API '
                'keeps it in the request path)'}],
}

# Entity types whose row count grows with the number of accounts.  Foreign
# keys pointing at them get an index, so that deleting one of their rows does
# not scan the (large) referencing table.  Links into the price book
# (products, plans, pricing, ...) are not indexed: those rows are few and
# rarely deleted, and the indexes would slow bulk loading.
SCALED = {'ACCOUNTS', 'CONTRACTS', 'COMMITMENTS', 'BALANCES', 'BILLS',
          'CHARGES', 'BILL_LINE_ITEMS'}

# PostgreSQL 15 keywords that cannot be a bare column name (pg_get_keywords()
# with catcode <> 'U' that could collide with a snake_case field name).
RESERVED = {
    'all', 'analyse', 'analyze', 'and', 'any', 'array', 'as', 'asc',
    'asymmetric', 'authorization', 'between', 'bigint', 'binary', 'bit',
    'boolean', 'both', 'case', 'cast', 'char', 'character', 'check',
    'coalesce', 'collate', 'collation', 'column', 'concurrently',
    'constraint', 'create', 'cross', 'current_catalog', 'current_date',
    'current_role', 'current_schema', 'current_time', 'current_timestamp',
    'current_user', 'dec', 'decimal', 'default', 'deferrable', 'desc',
    'distinct', 'do', 'else', 'end', 'except', 'exists', 'extract', 'false',
    'fetch', 'float', 'for', 'foreign', 'freeze', 'from', 'full', 'grant',
    'greatest', 'group', 'grouping', 'having', 'ilike', 'in', 'initially',
    'inner', 'inout', 'int', 'integer', 'intersect', 'interval', 'into',
    'is', 'isnull', 'join', 'json_array', 'lateral', 'leading', 'least',
    'left', 'like', 'limit', 'localtime', 'localtimestamp', 'national',
    'natural', 'nchar', 'none', 'normalize', 'not', 'notnull', 'null',
    'nullif', 'numeric', 'offset', 'on', 'only', 'or', 'order', 'out',
    'outer', 'overlaps', 'overlay', 'placing', 'position', 'precision',
    'primary', 'real', 'references', 'returning', 'right', 'row', 'select',
    'session_user', 'setof', 'similar', 'smallint', 'some', 'substring',
    'symmetric', 'system_user', 'table', 'tablesample', 'then', 'time',
    'timestamp', 'to', 'trailing', 'treat', 'trim', 'true', 'union',
    'unique', 'user', 'using', 'values', 'varchar', 'variadic', 'verbose',
    'when', 'where', 'window', 'with', 'xmlattributes', 'xmlconcat',
    'xmlelement', 'xmlexists', 'xmlforest', 'xmlnamespaces', 'xmlparse',
    'xmlpi', 'xmlroot', 'xmlserialize', 'xmltable',
}


def snake(name):
    """accountId -> account_id, startDateTimeUTC -> start_date_time_utc."""
    s = re.sub(r'([A-Z]+)([A-Z][a-z])', r'\1_\2', name)
    s = re.sub(r'([a-z0-9])([A-Z])', r'\1_\2', s)
    return s.lower()


def quote_ident(name):
    if re.fullmatch(r'[a-z_][a-z0-9_]*', name) and name not in RESERVED:
        return name
    return '"' + name.replace('"', '""') + '"'


def is_id(field):
    return field['type'] == 'string' and \
        (field['name'] == 'id' or field['name'].endswith('Id'))


def column_type(entity, f):
    t, fmt, key = f['type'], f['format'], (entity, f['name'])
    if t == 'string':
        if is_id(f):
            return 'uuid'
        if f['references']:
            fail(f'{entity}.{f["name"]} references an entity but is no *Id')
        return {None: 'text', 'date': 'date',
                'date-time': 'timestamptz'}.get(fmt) or \
            fail(f'unknown string format {fmt} in {entity}.{f["name"]}')
    if t == 'integer':
        return {'int32': 'integer', 'int64': 'bigint'}.get(fmt) or \
            fail(f'unknown integer format {fmt} in {entity}.{f["name"]}')
    if t == 'number':
        return 'numeric'
    if t == 'boolean':
        return 'boolean'
    if t == 'object':
        return 'jsonb'
    if t == 'array':
        kinds = [f['references'] is not None, f['enum'] is not None,
                 key in STRING_ARRAYS, key in OBJECT_ARRAYS]
        if sum(kinds) != 1:
            fail(f'cannot tell what array {entity}.{f["name"]} holds')
        return ['uuid[]', 'text[]', 'text[]', 'jsonb'][kinds.index(True)]
    fail(f'unknown type {t} in {entity}.{f["name"]}')


class Column:
    def __init__(self, entity, field):
        self.field = field['name']
        self.name = snake(field['name'])
        self.sql_name = quote_ident(self.name)
        self.type = column_type(entity, field)
        self.enum = field['enum']
        self.references = field['references']
        self.note = field.get('note')

    def comment(self):
        text = self.note or f'm3ter field {self.field}'
        if self.references and self.type == 'uuid[]':
            text += f' (ids of {self.references})'
        elif self.references:
            text += f' (references {self.references})'
        if self.enum:
            text += '; one of: ' + ', '.join(self.enum)
        return text


class Table:
    def __init__(self, entity, spec):
        self.entity = entity
        self.schema = spec['schema']
        self.name = entity.lower()
        fields = spec['fields'] + ADDITIONS.get(entity, [])
        self.columns = [Column(entity, f) for f in fields]
        self.catalogue_count = len(spec['fields'])
        names = [c.name for c in self.columns]
        if len(set(names)) != len(names):
            fail(f'{entity}: two fields map to one column name')
        if names[0] != 'id' or self.columns[0].type != 'uuid':
            fail(f'{entity}: the first field is not the id')

    def column(self, name):
        for c in self.columns:
            if c.name == name:
                return c
        fail(f'{self.entity} has no column {name}')

    def depends_on(self):
        return {c.references for c in self.columns
                if c.references and c.type == 'uuid'} - {self.entity}


def load_model():
    with open(CATALOGUE) as f:
        catalogue = json.load(f)
    if len(catalogue) != 20:
        fail(f'the catalogue has {len(catalogue)} entity types, not 20')
    tables = {e: Table(e, spec) for e, spec in catalogue.items()}
    if 'pricing_id' not in [c.name for c in tables['PRICING_BANDS'].columns]:
        fail('PRICING_BANDS has no pricingId; add it to ADDITIONS')
    for t in tables.values():
        for c in t.columns:
            if c.references and c.references not in tables:
                fail(f'{t.entity}.{c.field} references unknown {c.references}')
    return tables


def creation_order(tables):
    """Referenced tables first; among ready ones, catalogue order."""
    done, order = set(), []
    while len(order) < len(tables):
        ready = [e for e, t in tables.items()
                 if e not in done and t.depends_on() <= done]
        if not ready:
            fail('the references form a cycle')
        done.add(ready[0])
        order.append(tables[ready[0]])
    return order


# ---------------------------------------------------------------------------
# SQL for create_m3ter_model
# ---------------------------------------------------------------------------

def sql_literal(s):
    return "'" + s.replace("'", "''") + "'"


def table_ddl(t, tables):
    """One EXECUTE: CREATE TABLE, its indexes and its comments."""
    width = max(len(c.sql_name) for c in t.columns)
    lines = []
    for c in t.columns:
        decl = f'{c.sql_name.ljust(width)} {c.type}'
        if c.name == 'id':
            decl += ' PRIMARY KEY DEFAULT pg_catalog.gen_random_uuid()'
        elif c.name == 'version':
            decl += ' DEFAULT 1'
        elif c.name in ('dt_created', 'dt_last_modified'):
            decl += ' DEFAULT pg_catalog.now()'
        if c.references and c.type == 'uuid':
            decl += f' REFERENCES %1$I.{tables[c.references].name} (id)'
        lines.append('            ' + decl)
    out = [f'    -- {t.entity}: {t.schema}, {t.catalogue_count} fields'
           + (f' + {len(t.columns) - t.catalogue_count} added'
              if len(t.columns) > t.catalogue_count else ''),
           '    EXECUTE pg_catalog.format($ddl$',
           f'        CREATE TABLE %1$I.{t.name} (',
           ',\n'.join(lines),
           '        );']
    for c in t.columns:
        if c.references in SCALED and c.type == 'uuid':
            out.append(f'        CREATE INDEX ON %1$I.{t.name} ({c.sql_name})'
                       f' WHERE {c.sql_name} IS NOT NULL;')
    out.append(f'        COMMENT ON TABLE %1$I.{t.name} IS '
               f'{sql_literal(f"m3ter {t.entity} ({t.schema})")};')
    for c in t.columns:
        out.append(f'        COMMENT ON COLUMN %1$I.{t.name}.{c.sql_name} IS '
                   f'{sql_literal(c.comment())};')
    out.append('    $ddl$, schema_name);')
    return '\n'.join(out)


HEADER = """\
-- 60_m3ter.sql: the m3ter operational data model and its data generator.
--
-- GENERATED by tools/gen_m3ter_model.py from tools/m3ter-entities.json.
-- Do not edit by hand: change the script (or the catalogue) and run
--     python3 tools/gen_m3ter_model.py
-- `python3 tools/gen_m3ter_model.py --check` tells whether this file is
-- up to date.
--
-- What this file owns:
--   dataexport.create_m3ter_model(schema_name)   the 20 m3ter entity tables
--   dataexport.generate_m3ter_data(schema_name, accounts)   demo data
-- It must not touch the registry itself: registration goes through
-- dataexport.register_entity, like any user's table.
--
-- Tables and columns.  Each m3ter entity type gets a table named after the
-- type in lower case (ACCOUNTS -> accounts, BILL_LINE_ITEMS ->
-- bill_line_items).  Its columns are the catalogue's fields, in catalogue
-- order, named in snake_case (accountId -> account_id, dtCreated ->
-- dt_created, startDateTimeUTC -> start_date_time_utc), then the added
-- columns: BALANCE_TRANSACTIONS.balance_id (the API keeps the balance in the
-- request path).  PRICING_BANDS is the standalone band record, with its
-- pricing_id.  Every column carries a comment naming its m3ter field (and its
-- enum values), so a column maps back to the API.
--
-- Types.
--   id, and string fields named *Id           uuid (m3ter ids are UUIDs)
--   string, format date-time                   timestamptz
--   string, format date                        date
--   other strings (enums included)             text
--   integer int32 / int64                      integer / bigint
--   number (with or without format double)     numeric
--   boolean                                    boolean
--   object, array of objects                   jsonb
--   array of ids                               uuid[]
--   other arrays of strings                    text[]
-- number -> numeric, not double precision: almost all m3ter numbers are money
-- (amounts, prices, totals) or exact quantities, which must keep their digits
-- (2.50 stays 2.50 in an export) and add up exactly.  createdBy,
-- lastModifiedBy, approvedBy and lockedBy stay text: they name users or
-- service users, outside the 20 types.  Enum columns are plain text without
-- CHECK constraints: m3ter adds enum values over time (see the field
-- catalogue), and a copy of m3ter data should not reject a value m3ter sends;
-- the allowed values are in the column comments.
--
-- Keys.  id is the primary key (DEFAULT gen_random_uuid()); version defaults
-- to 1 and dt_created / dt_last_modified to now(), so that hand-written
-- demo rows stay short.  Every single-id reference the catalogue names is a
-- foreign key (NO ACTION, not deferrable; self references included).  Arrays
-- of ids (product_ids) cannot be foreign keys.  Foreign keys into the tables
-- that grow with the number of accounts (accounts, contracts, commitments,
-- balances, bills, charges, bill_line_items) have a partial index
-- (WHERE col IS NOT NULL), so deleting such a row does not scan its
-- referencing tables.
"""


def create_function(order, tables):
    names = wrapped([sql_literal(t.name) for t in order], ' ' * 41)
    types = wrapped([sql_literal(t.entity) for t in order], ' ' * 41)
    body = '\n\n'.join(table_ddl(t, tables) for t in order)
    register = '\n'.join(
        f"    PERFORM dataexport.register_entity({sql_literal(t.entity)}, "
        f"pg_catalog.format('%I.%I', schema_name, {sql_literal(t.name)})"
        f"::pg_catalog.regclass);"
        for t in sorted(order, key=lambda t: t.entity))
    return f"""\
-- create_m3ter_model(schema_name): creates the 20 m3ter entity tables in
-- schema_name (creating the schema if needed) and registers each under its
-- m3ter type name.  The caller owns the tables, so it needs CREATE on the
-- database.  Nothing is created when one of the 20 types is already
-- registered (type names are unique: one m3ter model per database) or one
-- of the tables already exists.
CREATE FUNCTION dataexport.create_m3ter_model(schema_name name DEFAULT 'm3ter')
RETURNS void
LANGUAGE plpgsql
SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
AS $function$
DECLARE
    table_names constant text[] := ARRAY[{names}];
    type_names  constant text[] := ARRAY[{types}];
    existing    text;
    registered  text;
BEGIN
    IF schema_name IS NULL THEN
        RAISE EXCEPTION 'schema_name must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF schema_name = '' THEN
        RAISE EXCEPTION 'schema_name must not be empty'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF schema_name = 'dataexport' THEN
        RAISE EXCEPTION 'schema_name must not be "dataexport"'
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = 'The schema dataexport belongs to the extension.',
                  HINT = 'Use another schema, for example m3ter.';
    END IF;
    IF NOT pg_catalog.has_database_privilege(pg_catalog.current_database(),
                                             'CREATE') THEN
        RAISE EXCEPTION 'permission denied to create the m3ter model in database %',
                pg_catalog.current_database()
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'create_m3ter_model needs the CREATE privilege on the database.',
                  HINT = pg_catalog.format('GRANT CREATE ON DATABASE %I TO %I;',
                                           pg_catalog.current_database(),
                                           current_user);
    END IF;

    -- Entity type names are unique in the database: one model registers them.
    SELECT pg_catalog.min(e.entity_type || ' for ' || e.relation::text)
           || CASE WHEN pg_catalog.count(*) > 1
                   THEN ' and ' || (pg_catalog.count(*) - 1) || ' more' ELSE '' END
      INTO registered
      FROM dataexport.entities e
     WHERE e.entity_type = ANY (type_names);
    IF registered IS NOT NULL THEN
        RAISE EXCEPTION 'm3ter entity types are already registered'
            USING ERRCODE = 'duplicate_object',
                  DETAIL = 'Registered: ' || registered || '.',
                  HINT = 'Use that model, or unregister its types with dataexport.unregister_entity first.';
    END IF;

    SELECT pg_catalog.string_agg(pg_catalog.format('%I.%I', schema_name, t),
                                 ', ' ORDER BY ord)
      INTO existing
      FROM pg_catalog.unnest(table_names) WITH ORDINALITY AS u(t, ord)
     WHERE pg_catalog.to_regclass(pg_catalog.format('%I.%I', schema_name, t)) IS NOT NULL;
    IF existing IS NOT NULL THEN
        RAISE EXCEPTION 'm3ter model tables already exist in schema %', schema_name
            USING ERRCODE = 'duplicate_table',
                  DETAIL = 'Existing: ' || existing || '.',
                  HINT = 'Choose another schema_name, or drop those tables first.';
    END IF;

    EXECUTE pg_catalog.format('CREATE SCHEMA IF NOT EXISTS %I', schema_name);

{body}

{register}
END
$function$;

COMMENT ON FUNCTION dataexport.create_m3ter_model(name) IS
'creates the 20 m3ter entity tables in a schema and registers them';
"""


# ---------------------------------------------------------------------------
# SQL helpers for the data recipes
# ---------------------------------------------------------------------------
# Every value is a function of row ordinals (the account number a, the bill
# number k, ...): pseudo-random choices hash the ordinal with a fixed salt, and
# ids are md5 digests of the entity type and the ordinal.  So the data is the
# same on every run, account 17 is the same at every scale with the same
# price book (one more product per 50,000 accounts changes which plan an
# account is on), and a row can reference another (its account's plan, its
# bill's line item) by recomputing that row's id instead of joining.

def H(x, salt):
    """A pseudo-random integer in [0, 2^31) determined by x and salt."""
    return f'(hashint8extended(({x})::bigint, {salt}) & 2147483647)'


def below(x, salt, n):
    """A pseudo-random integer in [0, n)."""
    return f'mod({H(x, salt)}, {n})'


def deeper(text, n=8):
    """text with every line but the first indented n more spaces."""
    return text.replace('\n', '\n' + ' ' * n)


def wrapped(items, indent):
    """A comma list broken into lines of at most 79 characters."""
    lines, line = [], ''
    for item in items:
        piece = item + ', '
        if line and len(indent) + len(line) + len(piece) > 80:
            lines.append(line.rstrip())
            line = ''
        line += piece
    lines.append(line.rstrip(', '))
    return ('\n' + indent).join(lines)


def lit(v):
    if v is None:
        return 'NULL'
    if isinstance(v, str):
        return sql_literal(v)
    return str(v)


def array(values):
    return 'ARRAY[' + ', '.join(lit(v) for v in values) + ']'


def pick(x, salt, values):
    """One of values, chosen by hashing x."""
    return f'({array(values)})[1 + {below(x, salt, len(values))}]'


def nth(values, i):
    """values[i] for a 1-based SQL index i."""
    return f'({array(values)})[{i}]'


def uid(entity, key):
    return f"md5('{entity}/' || {key})::uuid"


USER_1 = "md5('USER/1')::uuid::text"


def user(x, salt):
    return f"md5('USER/' || (1 + {below(x, salt, 3)}))::uuid::text"


def ts(text):
    return f"timestamptz '{text}+00'"


# ---- the price book -------------------------------------------------------

PRODUCT_NAMES = ['Compute', 'Storage', 'Data Transfer', 'API Gateway',
                 'Analytics', 'Messaging', 'Search', 'Observability',
                 'Identity', 'Streaming', 'Backup', 'Support']
PRODUCT_CODES = [n.lower().replace(' ', '_') for n in PRODUCT_NAMES]
PRODUCT_UNITS = ['vCPU-hours', 'GiB-months', 'GiB', 'calls', 'queries',
                 'messages', 'searches', 'GiB ingested', 'active users',
                 'stream-hours', 'GiB-months', 'tickets']
TIERS = ['Starter', 'Growth', 'Enterprise']
STANDING_CHARGE = [D('49.00'), D('249.00'), D('1499.00')]     # by tier
MINIMUM_SPEND = [D('0.00'), D('0.00'), D('5000.00')]          # by tier
# Pricing k of a plan: 1 = the product's main usage (SUM aggregation),
# 2 = its requests (COUNT aggregation), 3 = its compound aggregation.
PRICE_SCALE = [D('0.01'), D('0.0001'), D('0.01')]
BAND_LIMITS = [D('0'), D('1000'), D('10000'), D('0')]
BAND_FACTOR = [D('1'), D('0.8'), D('0.6'), D('1.5')]
BAND_TYPES = ['STANDARD', 'STANDARD', 'STANDARD', 'OVERAGE']


def product_name(p):
    return (f"{nth(PRODUCT_NAMES, f'1 + mod({p} - 1, 12)')} || "
            f"CASE WHEN {p} > 12 THEN ' ' || (({p} - 1) / 12 + 1) ELSE '' END")


def product_code(p):
    return (f"{nth(PRODUCT_CODES, f'1 + mod({p} - 1, 12)')} || "
            f"CASE WHEN {p} > 12 THEN '_' || (({p} - 1) / 12 + 1) ELSE '' END")


def product_unit(p):
    return nth(PRODUCT_UNITS, f'1 + mod({p} - 1, 12)')


def plan_product(s):
    """The product of standard plan (= plan template) s."""
    return f'(({s} + 2) / 3)'


def tier(s):
    return f'(1 + mod({s} - 1, 3))'


def standing_charge(s, discount):
    return f'round({nth(STANDING_CHARGE, tier(s))} * {discount}, 2)'


def unit_price(s, k, band, discount):
    """Unit price of band `band` of pricing k of standard plan s."""
    base = f"{nth(PRICE_SCALE, k)} * (1 + {below(f'{s} * 3 + {k}', 31, 50)})"
    return f'round({base} * {nth(BAND_FACTOR, band)} * {discount}, 6)'


def has_overage(s, k):
    return f'mod({s} + {k}, 5) = 0'


def aggregation_no(s, k):
    """Pricing 1 prices aggregation 1 of the product, pricing 2 its third."""
    return f'(4 * ({plan_product(s)} - 1) + 2 * {k} - 1)'


# ---- accounts -------------------------------------------------------------

ADJECTIVES = ['Apex', 'Blue', 'Cedar', 'Delta', 'Ember', 'Falcon', 'Granite',
              'Harbor', 'Iron', 'Juniper', 'Keystone', 'Lumen', 'Maple',
              'Nova', 'Orbit', 'Pioneer', 'Quartz', 'River', 'Summit', 'Titan']
NOUNS = ['Analytics', 'Logistics', 'Labs', 'Systems', 'Health', 'Media',
         'Robotics', 'Energy', 'Foods', 'Software', 'Networks', 'Capital',
         'Studios', 'Retail', 'Biotech', 'Motors']
STREETS = ['Main Street', 'Market Street', 'High Street', 'King Street',
           'Station Road', 'Park Avenue', 'Church Lane', 'Harbour Road']
# Ten currency slots weight the currencies (USD 60%, EUR 20%, GBP, JPY).
CURRENCY_SLOTS = ['USD'] * 6 + ['EUR'] * 2 + ['GBP', 'JPY']
RATE_SLOTS = [D('1.00')] * 6 + [D('0.92')] * 2 + [D('0.79'), D('157.30')]  # per USD
LOCATIONS = {   # four places per currency: city, region, country, suffix
    'USD': [('New York', 'NY', 'US', 'Inc.'), ('Austin', 'TX', 'US', 'LLC'),
            ('Seattle', 'WA', 'US', 'Inc.'), ('Chicago', 'IL', 'US', 'Corp.')],
    'EUR': [('Berlin', 'BE', 'DE', 'GmbH'), ('Paris', 'IDF', 'FR', 'SAS'),
            ('Amsterdam', 'NH', 'NL', 'B.V.'), ('Dublin', 'D', 'IE', 'Ltd')],
    'GBP': [('London', 'LND', 'GB', 'Ltd'), ('Manchester', 'MAN', 'GB', 'Ltd'),
            ('Edinburgh', 'EDH', 'GB', 'Ltd'), ('Bristol', 'BST', 'GB', 'plc')],
    'JPY': [('Tokyo', '13', 'JP', 'K.K.'), ('Osaka', '27', 'JP', 'K.K.'),
            ('Yokohama', '14', 'JP', 'K.K.'), ('Kyoto', '26', 'JP', 'K.K.')],
}
SALES_REGION = {'USD': 'AMER', 'EUR': 'EMEA', 'GBP': 'EMEA', 'JPY': 'APAC'}


def location(part):
    """Column `part` of the account's place; acct.place is 1..40."""
    values = [LOCATIONS[c][i][part] for c in CURRENCY_SLOTS for i in range(4)]
    return nth(values, 'acct.place')


# The price book's ids, computed once per statement (an md5 per row and
# reference would cost more than the rest of a row); each array's element i
# is the id of price book row i, the same value uid() gives.
BOOK = f"""(SELECT
                    ARRAY(SELECT {uid('PRODUCTS', 'p')} FROM generate_series(1, $2) AS p ORDER BY p) AS product,
                    ARRAY(SELECT {uid('METERS', 'm')} FROM generate_series(1, 2 * $2) AS m ORDER BY m) AS meter,
                    ARRAY(SELECT {uid('AGGREGATIONS', 'g')} FROM generate_series(1, 4 * $2) AS g ORDER BY g) AS aggregation,
                    ARRAY(SELECT {uid('COMPOUND_AGGREGATIONS', 'c')} FROM generate_series(1, $2) AS c ORDER BY c) AS compound,
                    ARRAY(SELECT {uid('PLANS', "'s' || s")} FROM generate_series(1, 3 * $2) AS s ORDER BY s) AS plan,
                    ARRAY(SELECT {uid('PRICING', "'s' || s || '/' || k")}
                            FROM generate_series(1, 3 * $2) AS s, generate_series(1, 3) AS k
                           ORDER BY s, k) AS pricing) AS book"""

# The standard plan account a is on (or whose bespoke copy it is on).
STD_PLAN_OF_A = f"(1 + {below('a', 11, '3 * $2')})"

# The facts every per-account recipe shares, computed once per account
# (OFFSET 0 keeps the planner from copying them into every use):
#   FROM BOOK CROSS JOIN generate_series(lo, hi) AS a
#        CROSS JOIN LATERAL (ACCOUNT_FACTS) AS acct
ACCOUNT_FACTS = f"""SELECT
                {uid('ACCOUNTS', 'a')} AS id,
                {below('a', 3, 10)} + 1 AS slot,
                4 * {below('a', 3, 10)} + 1 + {below('a', 5, 4)} AS place,
                {pick('a', 21, ADJECTIVES)} AS adjective,
                {pick('a', 22, NOUNS)} AS noun,
                {ts('2023-01-01 00:00:00')} + {below('a', 1, 455 * 86400)} * interval '1 second' AS created,
                1 + {below('a', 9, 3)} AS version,
                {STD_PLAN_OF_A} AS std_plan,
                {plan_product(STD_PLAN_OF_A)} AS product,
                book.product[{plan_product(STD_PLAN_OF_A)}] AS product_id,
                CASE WHEN mod(a, 100) = 0 THEN {uid('PLANS', "'a' || a")}
                     ELSE book.plan[{STD_PLAN_OF_A}] END AS plan_id,
                {uid('CONTRACTS', 'a')} AS contract_id,
                mod(a, 100) = 0 AS bespoke,
                CASE WHEN mod(a, 100) = 0 THEN 0.80 ELSE 1 END AS discount,
                {pick('a', 8, [30, 30, 30, 14, 45, 60])} AS days_before_bill_due,
                CASE WHEN {below('a', 10, 3)} = 0 THEN 'PO-' || (100000 + {below('a', 13, 900000)}) END AS purchase_order_number
                OFFSET 0"""

CURRENCY = nth(CURRENCY_SLOTS, 'acct.slot')
RATE = nth(RATE_SLOTS, 'acct.slot')
ACCOUNT_NAME = f"acct.adjective || ' ' || acct.noun || ' ' || {location(3)}"
ACCOUNT_CODE = "lower(acct.adjective) || '-' || lower(acct.noun) || '-' || a"
PRODUCT = 'acct.product'
PRODUCT_ID = 'acct.product_id'
PLAN_ID = 'acct.plan_id'
CONTRACT_ID = 'acct.contract_id'
# Timestamps stay independent of the session's TimeZone: intervals added to a
# timestamptz are in hours or seconds (a day is 23 or 25 hours across a DST
# change in the session's zone), and dates come from UTC times.
START_MONTH = "date_trunc('month', acct.created, 'UTC')"
START_DATE = "date_trunc('month', acct.created AT TIME ZONE 'UTC')::date"
CONTRACT_YEARS = f"(1 + {below('a', 16, 3)})"
PLAN_GROUP_KEY = f"CASE WHEN mod(a, 200) = 0 THEN 'a' || a ELSE 'g' || (1 + {below('a', 12, 2)}) END"

# A plan is a standard plan s (one per plan template) or a bespoke copy for
# every 100th account, at 80% of the price.  Both kinds come from a "plan
# set" with columns key, std (the standard plan it copies), account.
STD_PLAN_SET = """(SELECT 's' || s AS key, s AS std, NULL::integer AS account,
                         1 AS discount
                    FROM generate_series(1, 3 * $2) AS s) AS pl"""
BESPOKE_PLAN_SET = f"""(SELECT 'a' || a AS key, {STD_PLAN_OF_A} AS std,
                         a AS account, 0.80 AS discount
                    FROM generate_series($3, $4) AS a
                   WHERE mod(a, 100) = 0) AS pl"""

# ---- bills and their line items -------------------------------------------
# Account a has two monthly bills, k = 1 (May 2024, approved and locked) and
# k = 2 (June 2024, pending).  A bill's line items are "kinds" 1..8 of which
# those that apply to the account exist:
LINE_KINDS = [
    # kind, line item type, when it applies
    (1, 'STANDING_CHARGE', 'true'),
    (2, 'USAGE', 'true'),                                   # pricing 1
    (3, 'USAGE', f"{below('a * 2 + k', 43, 3)} <> 0"),       # pricing 2
    (4, 'USAGE', f"{below('a * 2 + k', 44, 4)} = 0"),        # pricing 3
    (5, 'COMMITMENT_CONSUMED', 'mod(a, 5) = 0'),
    (6, 'BALANCE_CONSUMED', 'mod(a, 3) = 0'),
    (7, 'AD_HOC', 'mod(a, 4) = 0 AND k = 2'),     # the account's charge
    (8, 'USAGE_CREDIT', 'mod(a, 50) = 0 AND k = 2'),  # credits bill 1's usage
]
KIND_APPLIES = ('CASE kind ' + ' '.join(
    f'WHEN {k} THEN {cond}' for k, _, cond in LINE_KINDS if cond != 'true')
    + ' ELSE true END')
KIND_TYPE = nth([t for _, t, _ in LINE_KINDS], 'li.kind')


def usage_quantity(kind, k):
    key = f'a * 2 + {k}'
    return {2: f"round({below(key, 52, 2000000)} / 100.0, 2)",
            3: f"{below(key, 53, 5000000)}::numeric",
            4: f"round({below(key, 54, 1000000)} / 100.0, 2)"}[kind]


def usage_subtotal(kind, k):
    price = unit_price('acct.std_plan', kind - 1, 1, 'acct.discount')
    return f'round({usage_quantity(kind, k)} * {price}, 2)'


# Ad hoc charges: every 4th account has one, billed on its June bill; every
# 12th account's is a fee on its balance.
CHARGE_UNITS = f"(1 + {below('a', 61, 10)})"
CHARGE_UNIT_PRICE = pick('a', 62, [D('25.00'), D('50.00'), D('100.00'), D('250.00')])
CHARGE_AMOUNT = f'{CHARGE_UNITS} * {CHARGE_UNIT_PRICE}'
CHARGE_TYPE = "CASE WHEN mod(a, 12) = 0 THEN 'BALANCE_FEE' ELSE 'AD_HOC' END"


def line_subtotal(kind):
    """The subtotal (in USD, the price book's currency) of line `kind`."""
    return f"""CASE {kind}
                    WHEN 1 THEN {standing_charge('acct.std_plan', 'acct.discount')}
                    WHEN 2 THEN {usage_subtotal(2, 'k')}
                    WHEN 3 THEN {usage_subtotal(3, 'k')}
                    WHEN 4 THEN {usage_subtotal(4, 'k')}
                    WHEN 5 THEN -round({usage_subtotal(2, 'k')} * 0.6, 2)
                    WHEN 6 THEN -round({usage_subtotal(2, 'k')} * 0.3, 2)
                    WHEN 7 THEN {CHARGE_AMOUNT}
                    WHEN 8 THEN -round({usage_subtotal(2, 1)} * 0.1, 2)
                END"""


LINES_OF_BILL = f"""SELECT kind, row_number() OVER (ORDER BY kind) AS seq
                  FROM generate_series(1, 8) AS kind
                 WHERE {KIND_APPLIES}"""

BILL_PERIOD = f"""SELECT (date '2024-04-01' + k * interval '1 month')::date AS start_date,
                       (date '2024-05-01' + k * interval '1 month')::date AS end_date,
                       {uid('BILLS', "a || '/' || k")} AS bill_id
                OFFSET 0"""

BILL_ID = 'per.bill_id'


# ---------------------------------------------------------------------------
# The recipes: one INSERT ... SELECT per table and phase
# ---------------------------------------------------------------------------

class Insert:
    """INSERT INTO <table> (<columns>) SELECT <exprs> FROM <source>."""

    def __init__(self, entity, comment, source, columns):
        self.entity, self.comment, self.source = entity, comment, source
        self.columns = columns          # [(column name, SQL expression)]


PRICE_BOOK = [
    Insert('PRODUCTS', 'products: 3, plus one per 50,000 accounts',
           'generate_series(1, $2) AS p', [
               ('id', uid('PRODUCTS', 'p')),
               ('version', '1'),
               ('custom_fields', "jsonb_build_object('family', "
                                 "CASE WHEN mod(p, 2) = 0 THEN 'platform' ELSE 'usage' END)"),
               ('name', product_name('p')),
               ('code', product_code('p')),
               ('dt_created', f"{ts('2022-11-01 09:00:00')} + p * interval '24 hours'"),
               ('dt_last_modified', f"{ts('2022-11-01 09:00:00')} + p * interval '24 hours'"),
               ('created_by', USER_1),
               ('last_modified_by', USER_1),
           ]),
    Insert('METERS', 'meters: two per product (usage and requests)',
           'generate_series(1, 2 * $2) AS m', [
               ('id', uid('METERS', 'm')),
               ('version', '1'),
               ('custom_fields', "'{}'::jsonb"),
               ('product_id', uid('PRODUCTS', '(m + 1) / 2')),
               ('name', f"{product_name('((m + 1) / 2)')} || "
                        "CASE WHEN mod(m, 2) = 1 THEN ' usage' ELSE ' requests' END"),
               ('code', f"{product_code('((m + 1) / 2)')} || "
                        "CASE WHEN mod(m, 2) = 1 THEN '_usage' ELSE '_requests' END"),
               ('data_fields', f"""jsonb_build_array(
                    jsonb_build_object('category', 'WHO', 'code', 'customer', 'name', 'Customer'),
                    jsonb_build_object('category', 'WHERE', 'code', 'region', 'name', 'Region'),
                    CASE WHEN mod(m, 2) = 1
                         THEN jsonb_build_object('category', 'MEASURE', 'code', 'quantity', 'name', 'Quantity', 'unit', {product_unit('((m + 1) / 2)')})
                         ELSE jsonb_build_object('category', 'WHAT', 'code', 'requestId', 'name', 'Request id')
                    END)"""),
               ('derived_fields', "'[]'::jsonb"),
               ('dt_created', f"{ts('2022-11-15 09:00:00')} + m * interval '1 hour'"),
               ('dt_last_modified', f"{ts('2022-11-15 09:00:00')} + m * interval '1 hour'"),
               ('created_by', USER_1),
               ('last_modified_by', USER_1),
           ]),
    Insert('AGGREGATIONS', 'aggregations: two per meter (SUM and MAX of usage, '
           'COUNT and UNIQUE of requests)',
           'generate_series(1, 4 * $2) AS g', [
               ('id', uid('AGGREGATIONS', 'g')),
               ('version', '1'),
               ('custom_fields', "'{}'::jsonb"),
               ('name', f"{product_name('((g + 3) / 4)')} || ' ' || "
                        f"{nth(['total usage', 'peak usage', 'requests', 'unique customers'], '1 + mod(g - 1, 4)')}"),
               ('rounding', nth(['NONE', 'UP', 'NONE', 'NONE'], '1 + mod(g - 1, 4)')),
               ('quantity_per_unit', '1'),
               ('unit', f"CASE mod(g - 1, 4) WHEN 2 THEN 'requests' WHEN 3 THEN 'customers' "
                        f"ELSE {product_unit('((g + 3) / 4)')} END"),
               ('code', f"{product_code('((g + 3) / 4)')} || '_' || "
                        f"{nth(['sum', 'max', 'count', 'unique'], '1 + mod(g - 1, 4)')}"),
               ('segments', "CASE WHEN mod(g - 1, 4) = 0 THEN '[{\"region\": \"us-east\"}, "
                            "{\"region\": \"eu-west\"}, {\"region\": \"ap-northeast\"}]'::jsonb "
                            "ELSE '[]'::jsonb END"),
               ('accounting_product_id', uid('PRODUCTS', '(g + 3) / 4')),
               ('meter_id', uid('METERS', '(g + 1) / 2')),
               ('target_field', nth(['quantity', 'quantity', 'requestId', 'customer'], '1 + mod(g - 1, 4)')),
               ('aggregation', nth(['SUM', 'MAX', 'COUNT', 'UNIQUE'], '1 + mod(g - 1, 4)')),
               ('segmented_fields', "CASE WHEN mod(g - 1, 4) = 0 THEN '{region}'::text[] "
                                    "ELSE '{}'::text[] END"),
               ('default_value', "CASE WHEN mod(g - 1, 4) = 0 THEN 0 END"),
               ('dt_created', f"{ts('2022-11-20 09:00:00')} + g * interval '1 hour'"),
               ('dt_last_modified', f"{ts('2022-11-20 09:00:00')} + g * interval '1 hour'"),
               ('created_by', USER_1),
               ('last_modified_by', USER_1),
           ]),
    Insert('COMPOUND_AGGREGATIONS', 'compound aggregations: one per product',
           'generate_series(1, $2) AS c', [
               ('id', uid('COMPOUND_AGGREGATIONS', 'c')),
               ('version', '1'),
               ('custom_fields', "'{}'::jsonb"),
               ('name', f"{product_name('c')} || ' blended usage'"),
               ('rounding', "'NEAREST'"),
               ('quantity_per_unit', '1'),
               ('unit', "'units'"),
               ('code', f"{product_code('c')} || '_blended'"),
               ('segments', "'[]'::jsonb"),
               ('accounting_product_id', uid('PRODUCTS', 'c')),
               ('calculation', f"'aggregation.' || {product_code('c')} || '_sum + "
                               f"aggregation.' || {product_code('c')} || '_count / 1000'"),
               ('product_id', uid('PRODUCTS', 'c')),
               ('evaluate_null_aggregations', 'false'),
               ('dt_created', f"{ts('2022-11-25 09:00:00')} + c * interval '1 hour'"),
               ('dt_last_modified', f"{ts('2022-11-25 09:00:00')} + c * interval '1 hour'"),
               ('created_by', USER_1),
               ('last_modified_by', USER_1),
           ]),
    Insert('PLAN_TEMPLATES', 'plan templates: Starter, Growth and Enterprise per product',
           'generate_series(1, 3 * $2) AS t', [
               ('id', uid('PLAN_TEMPLATES', 't')),
               ('version', '1'),
               ('custom_fields', "'{}'::jsonb"),
               ('product_id', uid('PRODUCTS', plan_product('t'))),
               ('name', f"{product_name(plan_product('t'))} || ' ' || {nth(TIERS, tier('t'))}"),
               ('currency', "'USD'"),
               ('standing_charge', standing_charge('t', 1)),
               ('standing_charge_description', "'Monthly platform fee'"),
               ('standing_charge_interval', '1'),
               ('standing_charge_offset', '0'),
               ('bill_frequency_interval', '1'),
               ('bill_frequency', "'MONTHLY'"),
               ('ordinal', tier('t')),
               ('code', f"{product_code(plan_product('t'))} || '_' || lower({nth(TIERS, tier('t'))})"),
               ('minimum_spend', nth(MINIMUM_SPEND, tier('t'))),
               ('minimum_spend_description', f"CASE WHEN {tier('t')} = 3 THEN 'Monthly minimum spend' END"),
               ('standing_charge_bill_in_advance', 'true'),
               ('minimum_spend_bill_in_advance', 'false'),
               ('dt_created', f"{ts('2022-12-01 09:00:00')} + t * interval '1 hour'"),
               ('dt_last_modified', f"{ts('2022-12-01 09:00:00')} + t * interval '1 hour'"),
               ('created_by', USER_1),
               ('last_modified_by', USER_1),
           ]),
]


def plans_insert(plan_set, what, bespoke):
    std = 'pl.std'
    return Insert('PLANS', what, plan_set, [
        ('id', uid('PLANS', 'pl.key')),
        ('version', '1'),
        ('custom_fields', "'{}'::jsonb"),
        ('plan_template_id', uid('PLAN_TEMPLATES', std)),
        ('product_id', uid('PRODUCTS', plan_product(std))),
        ('name', f"{product_name(plan_product(std))} || ' ' || {nth(TIERS, tier(std))}"
                 " || CASE WHEN pl.account IS NULL THEN '' ELSE ' (bespoke ' || pl.account || ')' END"),
        ('code', f"{product_code(plan_product(std))} || '_' || lower({nth(TIERS, tier(std))})"
                 " || CASE WHEN pl.account IS NULL THEN '' ELSE '_' || pl.account END"),
        ('standing_charge', standing_charge(std, 'pl.discount')),
        ('standing_charge_description', "'Monthly platform fee'"),
        ('ordinal', tier(std)),
        ('bespoke', 'pl.account IS NOT NULL'),
        ('minimum_spend', f"round({nth(MINIMUM_SPEND, tier(std))} * pl.discount, 2)"),
        ('minimum_spend_description', f"CASE WHEN {tier(std)} = 3 THEN 'Monthly minimum spend' END"),
        ('standing_charge_bill_in_advance', 'true'),
        ('minimum_spend_bill_in_advance', 'false'),
        ('minimum_spend_accounting_product_id', uid('PRODUCTS', plan_product(std))),
        ('standing_charge_accounting_product_id', uid('PRODUCTS', plan_product(std))),
    ] + ([
        ('account_id', uid('ACCOUNTS', 'pl.account')),
        ('dt_created', f"{ts('2024-01-02 09:00:00')} + pl.account * interval '1 second'"),
        ('dt_last_modified', f"{ts('2024-01-02 09:00:00')} + pl.account * interval '1 second'"),
    ] if bespoke else [
        ('dt_created', f"{ts('2022-12-15 09:00:00')} + {std} * interval '1 hour'"),
        ('dt_last_modified', f"{ts('2022-12-15 09:00:00')} + {std} * interval '1 hour'"),
    ]) + [
        ('created_by', USER_1),
        ('last_modified_by', USER_1),
    ])


def band_json(std, k, band):
    key = f"pl.key || '/' || {k} || '/' || {band}"
    return (f"jsonb_build_object('id', {uid('PRICING_BANDS', key)}, "
            f"'lowerLimit', {nth(BAND_LIMITS, band)}, 'fixedPrice', 0, "
            f"'unitPrice', {unit_price(std, k, band, 'pl.discount')})")


def pricing_insert(plan_set, what):
    std = 'pl.std'
    return Insert('PRICING', what,
                  f'{plan_set}\n                CROSS JOIN generate_series(1, 3) AS k', [
        ('id', uid('PRICING', "pl.key || '/' || k")),
        ('version', '1'),
        ('dt_created', f"{ts('2022-12-20 09:00:00')} + {std} * interval '1 hour'"),
        ('dt_last_modified', f"{ts('2022-12-20 09:00:00')} + {std} * interval '1 hour'"),
        ('created_by', USER_1),
        ('last_modified_by', USER_1),
        ('plan_id', uid('PLANS', 'pl.key')),
        ('cumulative', 'true'),
        ('start_date', ts('2023-01-01 00:00:00')),
        ('code', f"{product_code(plan_product(std))} || '_' || lower({nth(TIERS, tier(std))})"
                 " || CASE WHEN pl.account IS NULL THEN '' ELSE '_' || pl.account END"
                 f" || '_' || {nth(['usage', 'requests', 'blended'], 'k')}"),
        ('description', f"{nth(['Usage', 'Requests', 'Blended usage'], 'k')} || ', tiered'"),
        ('accounting_product_id', uid('PRODUCTS', plan_product(std))),
        ('pricing_bands', f"jsonb_build_array({band_json(std, 'k', 1)}, "
                          f"{band_json(std, 'k', 2)}, {band_json(std, 'k', 3)})"),
        ('aggregation_id', f"CASE WHEN k < 3 THEN {uid('AGGREGATIONS', aggregation_no(std, 'k'))} END"),
        ('compound_aggregation_id', f"CASE WHEN k = 3 THEN {uid('COMPOUND_AGGREGATIONS', plan_product(std))} END"),
        ('type', "'DEBIT'"),
        ('tiers_span_plan', 'false'),
        ('aggregation_type', "CASE WHEN k < 3 THEN 'SIMPLE' ELSE 'COMPOUND' END"),
        ('overage_pricing_bands', f"CASE WHEN {has_overage(std, 'k')} "
                                  f"THEN jsonb_build_array({band_json(std, 'k', 4)}) ELSE '[]'::jsonb END"),
    ])


def bands_insert(plan_set, what):
    std = 'pl.std'
    return Insert('PRICING_BANDS', what,
                  f"""{plan_set}
                CROSS JOIN generate_series(1, 3) AS k
                CROSS JOIN generate_series(1, 4) AS band
               WHERE band < 4 OR {has_overage(std, 'k')}""", [
        ('id', uid('PRICING_BANDS', "pl.key || '/' || k || '/' || band")),
        ('version', '1'),
        ('lower_limit', nth(BAND_LIMITS, 'band')),
        ('fixed_price', '0'),
        ('unit_price', unit_price(std, 'k', 'band', 'pl.discount')),
        ('type', nth(BAND_TYPES, 'band')),
        ('pricing_id', uid('PRICING', "pl.key || '/' || k")),
    ])


def plan_groups_insert(group_set, what, bespoke):
    return Insert('PLAN_GROUPS', what, group_set, [
        ('id', uid('PLAN_GROUPS', 'pg.key')),
        ('version', '1'),
        ('custom_fields', "'{}'::jsonb"),
        ('name', "CASE WHEN pg.account IS NULL THEN "
                 f"{nth(['Starter bundle', 'Growth bundle'], 'pg.n')} "
                 "ELSE 'Bundle for account ' || pg.account END"),
        ('code', "CASE WHEN pg.account IS NULL THEN "
                 f"{nth(['starter_bundle', 'growth_bundle'], 'pg.n')} "
                 "ELSE 'bundle_' || pg.account END"),
        ('standing_charge', f"coalesce({nth([D('79.00'), D('399.00')], 'pg.n')}, 149.00)"),
        ('standing_charge_description', "'Bundle platform fee'"),
        ('minimum_spend', "0.00"),
        ('currency', "'USD'"),
        ('standing_charge_bill_in_advance', 'true'),
        ('minimum_spend_bill_in_advance', 'false'),
        ('minimum_spend_accounting_product_id', uid('PRODUCTS', '1')),
        ('standing_charge_accounting_product_id', uid('PRODUCTS', '1')),
    ] + ([
        ('account_id', uid('ACCOUNTS', 'pg.account')),
    ] if bespoke else []) + [
        ('dt_created', GROUP_CREATED),
        ('dt_last_modified', GROUP_CREATED),
        ('created_by', USER_1),
        ('last_modified_by', USER_1),
    ])


GROUP_CREATED = (f"CASE WHEN pg.account IS NULL "
                 f"THEN {ts('2023-01-10 09:00:00')} + pg.n * interval '1 hour' "
                 f"ELSE {ts('2024-01-03 09:00:00')} + pg.account * interval '1 second' END")


def plan_group_links_insert(group_set, what):
    # Global group n links the standard plans n and n + 3 (tier n of the
    # first two products); an account's group links the account's plan and
    # the same tier of the next product.
    first = "CASE WHEN pg.account IS NULL THEN 's' || pg.n ELSE 'a' || pg.account END"
    second = ("'s' || (1 + mod(pg.std + 2, 3 * $2))")
    return Insert('PLAN_GROUP_LINKS', what,
                  f'{group_set}\n                CROSS JOIN generate_series(1, 2) AS j', [
        ('id', uid('PLAN_GROUP_LINKS', "pg.key || '/' || j")),
        ('version', '1'),
        ('plan_group_id', uid('PLAN_GROUPS', 'pg.key')),
        ('plan_id', uid('PLANS', f"CASE j WHEN 1 THEN {first} ELSE {second} END")),
        ('dt_created', GROUP_CREATED),
        ('dt_last_modified', GROUP_CREATED),
        ('created_by', USER_1),
        ('last_modified_by', USER_1),
    ])


STD_GROUP_SET = """(SELECT 'g' || n AS key, n, n AS std, NULL::integer AS account
                    FROM generate_series(1, 2) AS n) AS pg"""
BESPOKE_GROUP_SET = f"""(SELECT 'a' || a AS key, 0 AS n,
                         {STD_PLAN_OF_A} AS std, a AS account
                    FROM generate_series($3, $4) AS a
                   WHERE mod(a, 200) = 0) AS pg"""

TRANSACTION_TYPES = ['Payment', 'Credit', 'Refund', 'Promotion', 'Adjustment']

PRICE_BOOK += [
    plans_insert(STD_PLAN_SET, 'plans: one standard plan per plan template',
                 bespoke=False),
    plan_groups_insert(STD_GROUP_SET, 'plan groups: two standard bundles',
                       bespoke=False),
    plan_group_links_insert(STD_GROUP_SET, 'plan group links: two plans per bundle'),
    pricing_insert(STD_PLAN_SET, 'pricing: three per plan (usage, requests, blended)'),
    bands_insert(STD_PLAN_SET, 'pricing bands: three tiers per pricing, and an '
                 'overage band for one pricing in five'),
    Insert('TRANSACTION_TYPES', 'transaction types: five, one archived',
           'generate_series(1, 5) AS t', [
               ('id', uid('TRANSACTION_TYPES', 't')),
               ('version', '1'),
               ('code', f"lower({nth(TRANSACTION_TYPES, 't')})"),
               ('name', nth(TRANSACTION_TYPES, 't')),
               ('archived', 't = 3'),
               ('dt_created', f"{ts('2023-01-05 09:00:00')} + t * interval '1 minute'"),
               ('dt_last_modified', f"{ts('2023-01-05 09:00:00')} + t * interval '1 minute'"),
               ('created_by', USER_1),
               ('last_modified_by', USER_1),
           ]),
]

ACCOUNTS_SOURCE = f"""{BOOK}
                CROSS JOIN generate_series($3, $4) AS a
                CROSS JOIN LATERAL ({deeper(ACCOUNT_FACTS)}) AS acct"""


def accounts_source(step=None, extra=''):
    """The account rows lo..hi, or those whose number is a multiple of step."""
    where = f'\n               WHERE mod(a, {step}) = 0' if step else ''
    return ACCOUNTS_SOURCE + extra + where


CUSTOMERS = [
    Insert('ACCOUNTS', 'accounts: one in ten is the child of one of the nine '
           'accounts before it', accounts_source(), [
               ('id', 'acct.id'),
               ('version', 'acct.version'),
               ('custom_fields', "jsonb_build_object('segment', "
                                 f"{pick('a', 15, ['SMB', 'SMB', 'SMB', 'Mid-Market', 'Enterprise'])}, "
                                 f"'salesRegion', {nth([SALES_REGION[c] for c in CURRENCY_SLOTS], 'acct.slot')})"),
               ('name', ACCOUNT_NAME),
               ('code', ACCOUNT_CODE),
               ('address', f"""jsonb_build_object(
                    'addressLine1', (1 + {below('a', 17, 998)}) || ' ' || {pick('a', 18, STREETS)},
                    'locality', {location(0)},
                    'region', {location(1)},
                    'postCode', lpad({below('a', 19, 100000)}::text, 5, '0'),
                    'country', {location(2)})"""),
               ('email_address', "'billing@' || " + ACCOUNT_CODE + " || '.example'"),
               ('parent_account_id', f"CASE WHEN mod(a, 10) = 0 THEN "
                                     f"{uid('ACCOUNTS', f'''(a - 1 - {below('a', 7, 9)})''')} END"),
               ('bill_epoch', START_DATE),
               ('purchase_order_number', 'acct.purchase_order_number'),
               ('currency', CURRENCY),
               ('dt_created', 'acct.created'),
               ('dt_last_modified', "acct.created + (acct.version - 1) * interval '408 hours'"),
               ('created_by', user('a', 20)),
               ('last_modified_by', user('a', 20)),
               ('auto_generate_statement_mode', pick('a', 14, ['NONE', 'NONE', 'NONE', 'JSON', 'JSON_AND_CSV'])),
               ('credit_application_order', f"({pick('a', 23, ['{PREPAYMENT,BALANCE}', '{BALANCE,PREPAYMENT}', '{PREPAYMENT}'])})::text[]"),
               ('days_before_bill_due', 'acct.days_before_bill_due'),
           ]),
    plans_insert(BESPOKE_PLAN_SET, 'plans: a bespoke plan (80 percent of a '
                 'standard plan) for every 100th account', bespoke=True),
    plan_groups_insert(BESPOKE_GROUP_SET, 'plan groups: a bespoke bundle for '
                       'every 200th account', bespoke=True),
    plan_group_links_insert(BESPOKE_GROUP_SET, 'plan group links of the '
                            'bespoke bundles'),
    pricing_insert(BESPOKE_PLAN_SET, 'pricing of the bespoke plans'),
    bands_insert(BESPOKE_PLAN_SET, 'pricing bands of the bespoke plans'),
    Insert('CONTRACTS', 'contracts: one per account, for one to three years',
           accounts_source(), [
               ('id', CONTRACT_ID),
               ('version', '1'),
               ('custom_fields', "'{}'::jsonb"),
               ('account_id', 'acct.id'),
               ('name', f"{ACCOUNT_NAME} || ' master agreement'"),
               ('code', "'ctr-' || " + ACCOUNT_CODE),
               ('description', f"{CONTRACT_YEARS} || '-year subscription'"),
               ('purchase_order_number', 'acct.purchase_order_number'),
               ('apply_contract_period_limits', 'false'),
               ('usage_filters', "'[]'::jsonb"),
               ('start_date', START_DATE),
               ('end_date', f"({START_DATE} + {CONTRACT_YEARS} * interval '1 year')::date"),
               ('dt_created', "acct.created + interval '1 hour'"),
               ('dt_last_modified', "acct.created + interval '1 hour'"),
               ('created_by', user('a', 20)),
               ('last_modified_by', user('a', 20)),
           ]),
    Insert('ACCOUNT_PLANS', 'account plans: every account on a plan, and every '
           'fourth also on a plan group',
           accounts_source(extra='\n                CROSS JOIN generate_series(1, 2) AS j') +
           '\n               WHERE j = 1 OR mod(a, 4) = 0', [
               ('id', uid('ACCOUNT_PLANS', "a || '/' || j")),
               ('version', '1'),
               ('custom_fields', "'{}'::jsonb"),
               ('account_id', 'acct.id'),
               ('product_id', f"CASE WHEN j = 1 THEN {PRODUCT_ID} END"),
               ('plan_id', f"CASE WHEN j = 1 THEN {PLAN_ID} END"),
               ('plan_group_id', f"CASE WHEN j = 2 THEN {uid('PLAN_GROUPS', f'({PLAN_GROUP_KEY})')} END"),
               ('start_date', START_MONTH),
               ('code', f"{ACCOUNT_CODE} || CASE j WHEN 1 THEN '-plan' ELSE '-bundle' END"),
               ('bill_epoch', START_DATE),
               ('contract_id', CONTRACT_ID),
               ('child_billing_mode', "CASE WHEN mod(a, 10) = 0 THEN 'CHILD' END"),
               ('dt_created', "acct.created + interval '2 hours'"),
               ('dt_last_modified', "acct.created + interval '2 hours'"),
               ('created_by', user('a', 20)),
               ('last_modified_by', user('a', 20)),
           ]),
    Insert('COMMITMENTS', 'commitments: every fifth account, a yearly '
           'commitment for 2024 with quarterly fees',
           accounts_source(5, "\n                CROSS JOIN LATERAL (SELECT "
                           f"{pick('a', 24, [D('12000.00'), D('24000.00'), D('60000.00'), D('120000.00')])}"
                           " AS amount) AS cm"), [
               ('id', uid('COMMITMENTS', 'a')),
               ('version', '1'),
               ('account_id', 'acct.id'),
               ('billing_plan_id', PLAN_ID),
               ('product_ids', f'ARRAY[{PRODUCT_ID}]'),
               ('start_date', "date '2024-01-01'"),
               ('end_date', "date '2025-01-01'"),
               ('currency', "'USD'"),
               ('amount', 'cm.amount'),
               ('amount_pre_paid', f"CASE WHEN {below('a', 25, 2)} = 0 THEN cm.amount ELSE 0.00 END"),
               ('amount_first_bill', 'round(cm.amount / 4, 2)'),
               ('amount_spent', f"round({usage_subtotal(2, 1)} * 0.6, 2) + "
                                f"round({usage_subtotal(2, 2)} * 0.6, 2)"),
               ('overage_surcharge_percent', pick('a', 26, [D('0'), D('5'), D('10')])),
               ('separate_overage_usage', 'false'),
               ('billing_interval', '3'),
               ('billing_offset', '0'),
               ('commitment_fee_description', "'Quarterly commitment fee'"),
               ('commitment_usage_description', "'Commitment drawdown'"),
               ('overage_description', "'Usage above commitment'"),
               ('commitment_fee_bill_in_advance', 'true'),
               ('bill_epoch', "date '2024-01-01'"),
               ('contract_id', CONTRACT_ID),
               ('accounting_product_id', PRODUCT_ID),
               ('fees_accounting_product_id', PRODUCT_ID),
               ('drawdowns_accounting_product_id', PRODUCT_ID),
               ('child_billing_mode', "CASE WHEN mod(a, 10) = 0 THEN 'CHILD' END"),
               ('fee_dates', """(SELECT jsonb_agg(jsonb_build_object(
                        'date', to_char(date '2024-01-01' + q * interval '3 months', 'YYYY-MM-DD'),
                        'amount', round(cm.amount / 4, 2),
                        'servicePeriodStartDate', to_char(date '2024-01-01' + q * interval '3 months', 'YYYY-MM-DD') || 'T00:00:00Z',
                        'servicePeriodEndDate', to_char(date '2024-04-01' + q * interval '3 months', 'YYYY-MM-DD') || 'T00:00:00Z')
                        ORDER BY q)
                   FROM generate_series(0, 3) AS q)"""),
               ('line_item_types', f"({pick('a', 27, ['{USAGE}', '{STANDING_CHARGE,USAGE}'])})::text[]"),
               ('dt_created', "timestamptz '2023-12-15 10:00:00+00' + a * interval '1 second'"),
               ('dt_last_modified', "timestamptz '2024-07-01 02:00:00+00' + a * interval '1 second'"),
               ('created_by', user('a', 20)),
               ('last_modified_by', USER_1),
           ]),
    Insert('BALANCES', 'balances: every third account, a prepaid balance for 2024',
           accounts_source(3, "\n                CROSS JOIN LATERAL (SELECT "
                           f"{pick('a', 28, [D('1000.00'), D('5000.00'), D('10000.00'), D('25000.00')])}"
                           " AS amount) AS bl"), [
               ('id', uid('BALANCES', 'a')),
               ('version', '1'),
               ('custom_fields', "'{}'::jsonb"),
               ('code', "'bal-' || " + ACCOUNT_CODE),
               ('name', "'Prepaid credit'"),
               ('description', "'Prepaid usage credit for 2024'"),
               ('account_id', 'acct.id'),
               ('amount', 'bl.amount'),
               ('currency', CURRENCY),
               ('start_date', ts('2024-01-01 00:00:00')),
               ('end_date', ts('2025-01-01 00:00:00')),
               ('rollover_amount', f"CASE WHEN {below('a', 29, 2)} = 0 THEN round(bl.amount * 0.1, 2) END"),
               ('rollover_end_date', f"CASE WHEN {below('a', 29, 2)} = 0 THEN {ts('2025-04-01 00:00:00')} END"),
               ('balance_draw_down_description', "'Drawdown from prepaid credit'"),
               ('overage_surcharge_percent', '0'),
               ('product_ids', f'ARRAY[{PRODUCT_ID}]'),
               ('line_item_types', "'{USAGE}'::text[]"),
               ('contract_id', CONTRACT_ID),
               ('consumptions_accounting_product_id', PRODUCT_ID),
               ('fees_accounting_product_id', PRODUCT_ID),
               ('allow_overdraft', f"{below('a', 30, 4)} = 0"),
               ('dt_created', "timestamptz '2023-12-20 10:00:00+00' + a * interval '1 second'"),
               ('dt_last_modified', "timestamptz '2023-12-20 10:00:00+00' + a * interval '1 second'"),
               ('created_by', user('a', 20)),
               ('last_modified_by', user('a', 20)),
           ]),
    Insert('BALANCE_TRANSACTIONS', 'balance transactions: a payment, a '
           'promotion and an adjustment per balance',
           accounts_source(3, "\n                CROSS JOIN generate_series(1, 3) AS j"
                           "\n                CROSS JOIN LATERAL (SELECT CASE j "
                           f"WHEN 1 THEN {pick('a', 28, [D('1000.00'), D('5000.00'), D('10000.00'), D('25000.00')])} "
                           f"WHEN 2 THEN {pick('a', 31, [D('50.00'), D('100.00'), D('250.00')])} "
                           f"ELSE {pick('a', 32, [D('-25.00'), D('-10.00'), D('15.00'), D('40.00')])} END AS amount, "
                           f"{ts('2024-01-01 08:00:00')} + (j - 1) * interval '1080 hours' "
                           f"+ {below('a * 3 + j', 33, 86400)} * interval '1 second' AS at"
                           ") AS tx"), [
               ('id', uid('BALANCE_TRANSACTIONS', "a || '/' || j")),
               ('version', '1'),
               ('description', nth(['Initial top-up', 'Promotional credit', 'Manual adjustment'], 'j')),
               ('amount', 'tx.amount'),
               ('paid', 'CASE WHEN j = 1 THEN tx.amount ELSE 0.00 END'),
               ('currency_paid', CURRENCY),
               ('entity_type', nth(['USER', 'SERVICE_USER', 'SCHEDULER'], 'j')),
               ('entity_id', f"CASE WHEN j = 1 THEN ({user('a', 20)})::uuid END"),
               ('transaction_type_id', uid('TRANSACTION_TYPES', nth([1, 4, 5], 'j'))),
               ('applied_date', 'tx.at'),
               ('transaction_date', 'tx.at'),
               ('dt_created', "tx.at + interval '1 minute'"),
               ('dt_last_modified', "tx.at + interval '1 minute'"),
               ('created_by', user('a', 20)),
               ('last_modified_by', user('a', 20)),
               ('balance_id', uid('BALANCES', 'a')),
           ]),
    Insert('BILLS', 'bills: May 2024 (approved, locked) and June 2024 '
           '(pending) for every account; the total is the sum of the line items',
           accounts_source(extra=f"""
                CROSS JOIN generate_series(1, 2) AS k
                CROSS JOIN LATERAL ({deeper(BILL_PERIOD)}) AS per
                CROSS JOIN LATERAL (SELECT sum(round(({line_subtotal('kind')}) * {RATE}, 2)) AS total
                  FROM generate_series(1, 8) AS kind
                 WHERE {KIND_APPLIES}) AS bt"""), [
               ('id', BILL_ID),
               ('version', 'CASE k WHEN 1 THEN 3 ELSE 1 END'),
               ('account_id', 'acct.id'),
               ('account_code', ACCOUNT_CODE),
               ('start_date', 'per.start_date'),
               ('end_date', 'per.end_date'),
               ('start_date_time_utc', "per.start_date::timestamp AT TIME ZONE 'UTC'"),
               ('end_date_time_utc', "per.end_date::timestamp AT TIME ZONE 'UTC'"),
               ('bill_date', 'per.end_date'),
               ('due_date', 'per.end_date + acct.days_before_bill_due'),
               ('billing_frequency', "'MONTHLY'"),
               ('bill_frequency_interval', '1'),
               ('timezone', "'UTC'"),
               ('currency', CURRENCY),
               ('locked', 'k = 1'),
               ('created_date', "per.end_date::timestamp AT TIME ZONE 'UTC' + interval '2 hours'"),
               ('status', "CASE k WHEN 1 THEN 'APPROVED' ELSE 'PENDING' END"),
               ('bill_job_id', uid('BILL_JOBS', 'k')),
               ('currency_conversions', f"CASE WHEN {CURRENCY} = 'USD' THEN '[]'::jsonb "
                                        f"ELSE jsonb_build_array(jsonb_build_object('from', 'USD', "
                                        f"'to', {CURRENCY}, 'multiplier', {RATE})) END"),
               ('last_calculated_date', "per.end_date::timestamp AT TIME ZONE 'UTC' + interval '2 hours'"),
               ('purchase_order_number', 'acct.purchase_order_number'),
               ('external_invoice_reference', "CASE WHEN k = 1 THEN 'EXT-' || to_char(per.start_date, 'YYYYMM') || '-' || a END"),
               ('external_invoice_date', 'CASE WHEN k = 1 THEN per.end_date + 1 END'),
               ('json_statement_generated', 'k = 1'),
               ('csv_statement_generated', 'false'),
               ('statement_stale', 'false'),
               ('bill_total', 'bt.total'),
               ('sequential_invoice_number', "CASE WHEN k = 1 THEN 'INV-' || lpad(a::text, 8, '0') END"),
               ('dt_created', "per.end_date::timestamp AT TIME ZONE 'UTC' + interval '2 hours'"),
               ('dt_last_modified', "per.end_date::timestamp AT TIME ZONE 'UTC' + CASE k WHEN 1 THEN interval '72 hours' ELSE interval '2 hours' END"),
               ('created_by', "'SCHEDULER'"),
               ('last_modified_by', f"CASE k WHEN 1 THEN {user('a', 34)} ELSE 'SCHEDULER' END"),
               ('dt_approved', "CASE WHEN k = 1 THEN per.end_date::timestamp AT TIME ZONE 'UTC' + interval '72 hours' END"),
               ('approved_by', f"CASE WHEN k = 1 THEN {user('a', 34)} END"),
               ('dt_locked', "CASE WHEN k = 1 THEN per.end_date::timestamp AT TIME ZONE 'UTC' + interval '72 hours' END"),
               ('locked_by', f"CASE WHEN k = 1 THEN {user('a', 34)} END"),
           ]),
    Insert('CHARGES', 'charges: every fourth account, on its June bill (a fee '
           'on the balance for every twelfth)', accounts_source(4), [
               ('id', uid('CHARGES', 'a')),
               ('version', '1'),
               ('name', "CASE WHEN mod(a, 12) = 0 THEN 'Balance top-up fee' ELSE 'Onboarding services' END"),
               ('code', "'chg-' || " + ACCOUNT_CODE),
               ('account_id', 'acct.id'),
               ('bill_date', "date '2024-07-01'"),
               ('amount', CHARGE_AMOUNT),
               ('units', CHARGE_UNITS),
               ('unit_price', CHARGE_UNIT_PRICE),
               ('currency', "'USD'"),
               ('description', "CASE WHEN mod(a, 12) = 0 THEN 'Fee for topping up the prepaid balance' "
                               "ELSE 'Professional services, hours' END"),
               ('entity_type', "CASE WHEN mod(a, 12) = 0 THEN 'BALANCE' ELSE 'AD_HOC' END"),
               ('entity_id', f"CASE WHEN mod(a, 12) = 0 THEN {uid('BALANCES', 'a')} END"),
               ('bill_id', uid('BILLS', "a || '/2'")),
               ('accounting_product_id', PRODUCT_ID),
               ('service_period_start_date', ts('2024-06-01 00:00:00')),
               ('service_period_end_date', ts('2024-07-01 00:00:00')),
               ('contract_id', CONTRACT_ID),
               ('line_item_type', CHARGE_TYPE),
               ('dt_created', "timestamptz '2024-06-10 09:00:00+00' + a * interval '1 second'"),
               ('dt_last_modified', "timestamptz '2024-06-10 09:00:00+00' + a * interval '1 second'"),
               ('created_by', user('a', 20)),
               ('last_modified_by', user('a', 20)),
           ]),
]


def line_quantity(kind):
    return f"""CASE {kind}
                    WHEN 2 THEN {usage_quantity(2, 'k')}
                    WHEN 3 THEN {usage_quantity(3, 'k')}
                    WHEN 4 THEN {usage_quantity(4, 'k')}
                    WHEN 7 THEN {CHARGE_UNITS}
                    ELSE 1
                END"""


LINE_SOURCE = accounts_source(extra=f"""
                CROSS JOIN generate_series(1, 2) AS k
                CROSS JOIN LATERAL ({deeper(BILL_PERIOD)}) AS per
                CROSS JOIN LATERAL ({deeper(LINES_OF_BILL)}) AS li
                CROSS JOIN LATERAL (SELECT
                    {deeper(line_subtotal('li.kind'), 4)} AS subtotal,
                    {deeper(line_quantity('li.kind'), 4)} AS quantity,
                    CASE WHEN li.kind IN (2, 3, 4) THEN li.kind - 1 END AS pricing_no) AS amt""")

MAY_BILL_ID = uid('BILLS', "a || '/1'")
MAY_USAGE_LINE_ID = uid('BILL_LINE_ITEMS', "a || '/1/2'")
USAGE_PRICING_ID = (f"CASE WHEN acct.bespoke THEN {uid('PRICING', chr(39) + 'a' + chr(39) + ' || a || ' + chr(39) + '/' + chr(39) + ' || amt.pricing_no')} "
                    "ELSE book.pricing[3 * (acct.std_plan - 1) + amt.pricing_no] END")

CUSTOMERS.append(Insert(
    'BILL_LINE_ITEMS', 'bill line items: two to seven per bill (standing '
    'charge, usage, commitment and balance drawdowns, charges, credits)',
    LINE_SOURCE, [
        ('id', uid('BILL_LINE_ITEMS', "a || '/' || k || '/' || li.kind")),
        ('version', '1'),
        ('line_item_type', f"CASE WHEN li.kind = 7 THEN {CHARGE_TYPE} ELSE {KIND_TYPE} END"),
        ('product_id', PRODUCT_ID),
        ('description', f"""CASE li.kind
                    WHEN 1 THEN 'Standing charge'
                    WHEN 5 THEN 'Commitment drawdown'
                    WHEN 6 THEN 'Prepaid balance drawdown'
                    WHEN 7 THEN CASE WHEN mod(a, 12) = 0 THEN 'Balance top-up fee' ELSE 'Onboarding services' END
                    WHEN 8 THEN 'Credit: usage adjustment for May 2024'
                    ELSE {nth(['Usage', 'Requests', 'Blended usage'], 'amt.pricing_no')} || ' (' || {product_name(PRODUCT)} || ')'
                END"""),
        ('service_period_start_date', "per.start_date::timestamp AT TIME ZONE 'UTC'"),
        ('service_period_end_date', "per.end_date::timestamp AT TIME ZONE 'UTC'"),
        ('referenced_bill_id', f"CASE WHEN li.kind = 8 THEN {MAY_BILL_ID} END"),
        ('referenced_line_item_id', f"CASE WHEN li.kind = 8 THEN {MAY_USAGE_LINE_ID} END"),
        ('dt_created', "per.end_date::timestamp AT TIME ZONE 'UTC' + interval '2 hours'"),
        ('dt_last_modified', "per.end_date::timestamp AT TIME ZONE 'UTC' + interval '2 hours'"),
        ('created_by', "'SCHEDULER'"),
        ('last_modified_by', "'SCHEDULER'"),
        ('product_name', product_name(PRODUCT)),
        ('product_code', product_code(PRODUCT)),
        ('accounting_product_id', PRODUCT_ID),
        ('accounting_product_name', product_name(PRODUCT)),
        ('accounting_product_code', product_code(PRODUCT)),
        ('aggregation_id', f"CASE WHEN amt.pricing_no < 3 THEN "
                           f"book.aggregation[{aggregation_no('acct.std_plan', 'amt.pricing_no')}] END"),
        ('compound_aggregation_id', f"CASE WHEN amt.pricing_no = 3 THEN book.compound[{PRODUCT}] END"),
        ('charge_id', f"CASE WHEN li.kind = 7 THEN {uid('CHARGES', 'a')} END"),
        ('meter_id', f"CASE WHEN amt.pricing_no < 3 THEN "
                     f"book.meter[2 * ({PRODUCT} - 1) + amt.pricing_no] END"),
        ('plan_id', f"CASE WHEN li.kind <= 4 THEN {PLAN_ID} END"),
        ('commitment_id', f"CASE WHEN li.kind = 5 THEN {uid('COMMITMENTS', 'a')} END"),
        ('balance_id', f"CASE WHEN li.kind = 6 THEN {uid('BALANCES', 'a')} END"),
        ('bill_id', BILL_ID),
        ('quantity', 'amt.quantity'),
        ('units', 'amt.quantity'),
        ('unit', f"""CASE amt.pricing_no
                    WHEN 1 THEN {product_unit(PRODUCT)}
                    WHEN 2 THEN 'requests'
                    WHEN 3 THEN 'units'
                END"""),
        ('subtotal', 'amt.subtotal'),
        ('currency', "'USD'"),
        ('conversion_rate', RATE),
        ('converted_subtotal', f'round(amt.subtotal * {RATE}, 2)'),
        ('pricing_id', f"CASE WHEN amt.pricing_no IS NOT NULL THEN {USAGE_PRICING_ID} END"),
        ('band_usage', f"""CASE WHEN amt.pricing_no IS NOT NULL THEN jsonb_build_array(jsonb_build_object(
                    'lowerLimit', 0, 'bandQuantity', amt.quantity,
                    'unitPrice', {unit_price('acct.std_plan', 'amt.pricing_no', 1, 'acct.discount')},
                    'bandSubtotal', amt.subtotal)) END"""),
        ('contract_id', CONTRACT_ID),
        ('json_usage_generated', 'false'),
        ('average_unit_price', "CASE WHEN amt.quantity <> 0 THEN round(amt.subtotal / amt.quantity, 6) END"),
        ('sequence_number', 'li.seq'),
    ]))


# ---------------------------------------------------------------------------
# SQL for generate_m3ter_data
# ---------------------------------------------------------------------------

def check_insert(ins, tables):
    t = tables[ins.entity]
    names = [c for c, _ in ins.columns]
    if len(set(names)) != len(names):
        fail(f'{ins.entity}: a column is set twice')
    for name, expr in ins.columns:
        col = t.column(name)
        if col.enum:
            words = set()
            for s in re.findall(r"'([^']*)'", expr):
                words |= set(w for w in re.split(r'[{},]', s)
                             if re.fullmatch(r'[A-Z][A-Z_]+', w))
            if not words or not words <= set(col.enum):
                fail(f'{ins.entity}.{name}: values {sorted(words)} '
                     f'not all in the catalogue enum')
        if '%' in expr or '$sql$' in expr:
            fail(f'{ins.entity}.{name}: % or $sql$ in an expression')
    if '%' in ins.source:
        fail(f'{ins.entity}: % in the source')
    return [c.name for c in t.columns if c.name not in names]


def insert_sql(ins, tables):
    t = tables[ins.entity]
    left_null = check_insert(ins, tables)
    cols = ', '.join(t.column(c).sql_name for c, _ in ins.columns)
    exprs = ',\n'.join(f'                {e} AS {t.column(c).sql_name}'
                       for c, e in ins.columns)
    note = f'    -- {ins.comment}'
    if left_null:
        note += f'\n    -- (left NULL: {", ".join(left_null)})'
    return f"""{note}
    EXECUTE pg_catalog.format($sql$
        INSERT INTO %1$I.{t.name} ({cols})
        SELECT
{exprs}
          FROM {ins.source}
    $sql$, schema_name) USING accounts, n_products, lo, hi;"""


def generate_function(tables, order):
    price_book = '\n\n'.join(insert_sql(i, tables) for i in PRICE_BOOK)
    customers = '\n\n'.join(insert_sql(i, tables) for i in CUSTOMERS)
    filled = [i.entity for i in PRICE_BOOK + CUSTOMERS]
    missing = set(tables) - set(filled)
    if missing:
        fail(f'no recipe for {sorted(missing)}')
    seen = set()
    for ins in PRICE_BOOK + CUSTOMERS:  # dependency order
        t = tables[ins.entity]
        needs = {t.column(c).references for c, _ in ins.columns
                 if t.column(c).references and t.column(c).type == 'uuid'}
        if not needs <= seen | {ins.entity}:
            fail(f'{ins.entity} is filled before {needs - seen}')
        seen.add(ins.entity)
    names = wrapped([sql_literal(t.name) for t in order], ' ' * 42)
    return f"""\
-- generate_m3ter_data(schema_name, accounts): fills an empty m3ter model
-- (from create_m3ter_model) with plausible, reproducible data.  `accounts`
-- sets the scale: the price book (products, meters, plans, pricing, ...)
-- grows slowly with it, the customer tables in proportion (per account: one
-- contract, one or two account plans, two bills with two to seven line items
-- each, and for some accounts a commitment, a balance with transactions, a
-- charge, a bespoke plan).  Every value is a function of row numbers, so two
-- runs with the same arguments produce identical rows.  Set-based: the
-- customer tables are filled in slices of accounts, one INSERT ... SELECT per
-- table and slice, which keeps each statement's pending foreign-key checks
-- bounded.
CREATE FUNCTION dataexport.generate_m3ter_data(schema_name name DEFAULT 'm3ter',
                                               accounts integer DEFAULT 100)
RETURNS void
LANGUAGE plpgsql
SECURITY INVOKER
SET search_path = pg_catalog, pg_temp
-- The statements are long expressions run once each: compiling them with
-- JIT costs seconds and saves nothing.
SET jit = off
AS $function$
DECLARE
    table_names  constant text[] := ARRAY[{names}];
    slice        constant integer := 50000;
    model        pg_catalog.regclass[];
    rel          pg_catalog.regclass;
    missing      text;
    n_missing    bigint;
    not_empty    boolean;
    owner        boolean;
    add_fks      text[];
    drop_fks     text[];
    add_indexes  text[];
    drop_indexes text[];
    ddl          text;
    n_products   integer;
    lo           bigint := 1;
    hi           bigint;
BEGIN
    IF schema_name IS NULL THEN
        RAISE EXCEPTION 'schema_name must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF accounts IS NULL THEN
        RAISE EXCEPTION 'accounts must not be NULL'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF accounts < 0 THEN
        RAISE EXCEPTION 'accounts must be zero or more, not %', accounts
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    SELECT pg_catalog.array_agg(x.rel ORDER BY u.ord),
           pg_catalog.string_agg(u.t, ', ' ORDER BY u.ord) FILTER (WHERE x.rel IS NULL),
           pg_catalog.count(*) FILTER (WHERE x.rel IS NULL)
      INTO model, missing, n_missing
      FROM pg_catalog.unnest(table_names) WITH ORDINALITY AS u(t, ord),
           LATERAL (SELECT pg_catalog.to_regclass(pg_catalog.format('%I.%I', schema_name, u.t))) AS x(rel);
    IF n_missing > 0 THEN
        RAISE EXCEPTION 'schema % does not hold the m3ter model', schema_name
            USING ERRCODE = 'undefined_table',
                  DETAIL = 'Missing tables: '
                           || CASE WHEN n_missing = 20 THEN 'all 20 of them' ELSE missing END || '.',
                  HINT = pg_catalog.format('Create it with SELECT dataexport.create_m3ter_model(%L).',
                                           schema_name);
    END IF;

    FOREACH rel IN ARRAY model LOOP
        EXECUTE pg_catalog.format('SELECT EXISTS (SELECT FROM %s)', rel) INTO not_empty;
        IF not_empty THEN
            RAISE EXCEPTION 'table % is not empty', rel
                USING ERRCODE = 'object_not_in_prerequisite_state',
                      DETAIL = 'generate_m3ter_data fills an empty m3ter model.',
                      HINT = 'Truncate the model''s tables, or use a new schema.';
        END IF;
    END LOOP;

    -- Load the way pg_restore does: when the caller owns the tables, drop
    -- their foreign keys and (non-unique) secondary indexes for the load and
    -- add them back afterwards: each key is then checked with one join
    -- instead of one lookup per row, and each index built by one sort,
    -- several times faster.  The definitions are kept verbatim and restored
    -- in the same transaction (keys validated); on error all rolls back.
    -- Other callers insert with every key checked row by row.
    SELECT pg_catalog.bool_and(pg_catalog.pg_has_role(c.relowner, 'USAGE'))
      INTO owner
      FROM pg_catalog.pg_class c
     WHERE c.oid = ANY (model);
    IF owner THEN
        SELECT pg_catalog.array_agg(pg_catalog.format('ALTER TABLE %s ADD CONSTRAINT %I %s',
                                                      con.conrelid::pg_catalog.regclass, con.conname,
                                                      pg_catalog.pg_get_constraintdef(con.oid))
                                    ORDER BY con.oid),
               pg_catalog.array_agg(pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I',
                                                      con.conrelid::pg_catalog.regclass, con.conname)
                                    ORDER BY con.oid)
          INTO add_fks, drop_fks
          FROM pg_catalog.pg_constraint con
         WHERE con.contype = 'f' AND con.conrelid = ANY (model);
        SELECT pg_catalog.array_agg(pg_catalog.pg_get_indexdef(i.indexrelid)
                                    ORDER BY i.indexrelid),
               pg_catalog.array_agg(pg_catalog.format('DROP INDEX %s',
                                                      i.indexrelid::pg_catalog.regclass)
                                    ORDER BY i.indexrelid)
          INTO add_indexes, drop_indexes
          FROM pg_catalog.pg_index i
         WHERE NOT i.indisunique AND i.indrelid = ANY (model);
        FOREACH ddl IN ARRAY coalesce(drop_fks, '{{}}') || coalesce(drop_indexes, '{{}}') LOOP
            EXECUTE ddl;
        END LOOP;
    END IF;

    -- The price book grows slowly with the customer base.
    n_products := 3 + accounts / 50000;

{price_book}

    -- The customers, a slice of accounts [lo, hi] at a time.
    WHILE lo <= accounts LOOP
        hi := least(lo + slice - 1, accounts);

{indent(customers)}

        lo := hi + 1;
    END LOOP;

    FOREACH ddl IN ARRAY coalesce(add_indexes, '{{}}') || coalesce(add_fks, '{{}}') LOOP
        EXECUTE ddl;
    END LOOP;
END
$function$;

COMMENT ON FUNCTION dataexport.generate_m3ter_data(name, integer) IS
'fills an empty m3ter model with reproducible demo data, scaled by a number of accounts';
"""


def indent(text):
    return '\n'.join(('    ' + l) if l else l for l in text.split('\n'))


def main():
    tables = load_model()
    order = creation_order(tables)
    out = '\n'.join([HEADER, create_function(order, tables),
                     generate_function(tables, order)])
    if '--check' in sys.argv[1:]:
        with open(OUTPUT) as f:
            if f.read() != out:
                fail(f'{os.path.relpath(OUTPUT, ROOT)} is out of date; '
                     'run tools/gen_m3ter_model.py')
        return
    with open(OUTPUT, 'w') as f:
        f.write(out)


if __name__ == '__main__':
    main()
