
-- ---------------------------------------------------------------------------
-- Views: what a role may see of the catalog.  A role sees its own schedules,
-- jobs and files; a superuser sees all.  security_barrier keeps a role's own
-- functions in a WHERE clause from seeing other roles' rows.
-- ---------------------------------------------------------------------------

CREATE VIEW dataexport.entities AS
    SELECT e.entity_type, e.relation, e.key_columns::text[] AS key_columns, e.registered_at
      FROM dataexport.entity e;

CREATE VIEW dataexport.schedules WITH (security_barrier) AS
    SELECT s.schedule_id, s.name, s.code, s.owner::name AS owner, s.entity_types,
           s.schedule_type, s.period, s.schedule_offset, s.cron_expression,
           s.export_file_format, s.destinations, s.enabled, s.created_at,
           CASE WHEN s.enabled THEN
               (SELECT t FROM dataexport._timing_next(s.schedule_type, s.period,
                    s.schedule_offset, s.cron_expression, s.timing_anchor, now(), 1) t)
           END AS next_run_at,
           s.last_run_at
      FROM dataexport.schedule s
     WHERE dataexport._may_manage(current_user::regrole, s.owner);

CREATE VIEW dataexport.jobs WITH (security_barrier) AS
    SELECT j.job_id, j.schedule_id, j.kind, j.status, j.created_at, j.started_at,
           j.completed_at, j.rows_exported, j.bytes_written, j.error_message, j.expires_at
      FROM dataexport.job j
     WHERE dataexport._may_manage(current_user::regrole, j.owner);

CREATE VIEW dataexport.job_files WITH (security_barrier) AS
    SELECT f.job_id, f.entity_type, f.part, f.file_name, f.rows, f.bytes, f.sha256, f.expired
      FROM dataexport.job_file f
      JOIN dataexport.job j USING (job_id)
     WHERE dataexport._may_manage(current_user::regrole, j.owner);
