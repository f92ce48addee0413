-- Installation: CREATE EXTENSION (run by pg_regress --load-extension) makes
-- the extension at its default version, in schema dataexport, which it
-- creates.  The extension cannot be moved to another schema.
SELECT e.extname, e.extversion, n.nspname AS schema, e.extrelocatable
FROM pg_extension e
JOIN pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname = 'pg_dataexport';

SELECT count(*) AS dataexport_schemas
FROM pg_namespace
WHERE nspname = 'dataexport';

-- The default version is the one the control file names.
SELECT name, default_version, installed_version
FROM pg_available_extensions
WHERE name = 'pg_dataexport';

-- The settings exist as soon as the library is loaded, preloaded or not
-- (here it is not), with the documented defaults (test/regress.conf sets
-- some of them).
LOAD 'pg_dataexport';
SELECT name, boot_val AS default, unit
FROM pg_settings
WHERE name LIKE 'dataexport.%'
ORDER BY name;
