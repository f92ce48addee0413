#!/usr/bin/env bash
# Packaging: `make install` put in place what the control file promises, so
# that CREATE EXTENSION and ALTER EXTENSION UPDATE find their files.
set -euo pipefail

fail() { echo "FAIL: $*"; exit 1; }

version=$(sed -n "s/^default_version *= *'\(.*\)'/\1/p" pg_dataexport.control)
makefile_version=$(sed -n 's/^EXTVERSION *= *//p' Makefile)
[ -n "$version" ] || fail "pg_dataexport.control has no default_version"
[ "$version" = "$makefile_version" ] ||
	fail "control file default_version is '$version', Makefile EXTVERSION is '$makefile_version'"

grep -q "^module_pathname *= *'\$libdir/pg_dataexport'" pg_dataexport.control ||
	fail "module_pathname is not '\$libdir/pg_dataexport'"

share=$("$PG_CONFIG" --sharedir)/extension
lib=$("$PG_CONFIG" --pkglibdir)
for f in "$share/pg_dataexport.control" "$share/pg_dataexport--$version.sql" \
	"$lib/pg_dataexport.so"; do
	[ -f "$f" ] || fail "$f was not installed"
done

# Every update script in the tree is installed too.
for f in pg_dataexport--*--*.sql; do
	[ -e "$f" ] || continue
	cmp -s "$f" "$share/$f" || fail "$f was not installed"
done

# The install script is src/sql/*.sql in name order, and refuses to run
# outside CREATE EXTENSION.
cmp -s <(cat src/sql/*.sql) "$share/pg_dataexport--$version.sql" ||
	fail "the installed script is not the concatenation of src/sql/*.sql"
grep -q '^\\echo Use "CREATE EXTENSION pg_dataexport"' "$share/pg_dataexport--$version.sql" ||
	fail "the install script lacks the \\echo ... \\quit guard"

# Every symbol the library needs is defined by the server or by a library the
# server or the module links: a missing one (a function declared and called
# but never written) otherwise shows only when the library is loaded.
so=$lib/pg_dataexport.so
postgres=$("$PG_CONFIG" --bindir)/postgres
defined() {
	nm -D --defined-only "$1" | awk '{ sub(/@.*/, "", $3); print $3 }'
}
missing=$(comm -23 \
	<(nm -D --undefined-only "$so" | awk '{ sub(/@.*/, "", $2); print $2 }' | sort -u) \
	<({ defined "$postgres"
		for dep in $(ldd "$postgres" "$so" | awk '$3 ~ /^\// { print $3 }' | sort -u); do
			defined "$dep"
		done; } | sort -u))
# Weak symbols the runtime may leave undefined.
missing=$(grep -vE '^(_ITM_|__gmon_start__|__cxa_finalize|_Jv_RegisterClasses)' <<<"$missing" || true)
[ -z "$missing" ] || fail "pg_dataexport.so needs symbols nothing defines: $(echo $missing)"

echo "installed: control, pg_dataexport--$version.sql, pg_dataexport.so"
