-- pg_dataexport 0.2: scheduled, exact, incremental exports to CSV and JSONL.
--
-- This script is assembled from src/sql/*.sql, one file per concept.
\echo Use "CREATE EXTENSION pg_dataexport" to load this file. \quit
