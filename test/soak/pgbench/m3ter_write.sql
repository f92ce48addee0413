-- A random write to a table of the m3ter model (m3ter.sql).
SELECT soak.m3ter_write();
