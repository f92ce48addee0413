-- The rules around runs (SPEC section 4), at chosen instants: the steps that
-- run_pending() and the background scheduler take, called with a pinned
-- "now" (_queue_due_jobs) so that no test waits for the clock.

CREATE TABLE rr (id integer PRIMARY KEY);
SELECT dataexport.register_entity('RR', 'rr');
SELECT dataexport.create_schedule('hourly', ARRAY['RR'], 'HOUR', 1) AS sid \gset
SELECT timing_anchor AS a FROM dataexport.schedule WHERE schedule_id = :sid \gset

-- The initial job is queued on creation; the first grid instant is anchor + 1h.
SELECT kind, status, due_at - :'a'::timestamptz <= interval '1 second' AS due_at_creation
  FROM dataexport.job WHERE schedule_id = :sid;
SELECT next_run_at - timing_anchor AS next_run FROM dataexport.schedule WHERE schedule_id = :sid;
CALL dataexport.run_pending();

-- Not due yet: nothing queued.
SELECT dataexport._queue_due_jobs(10, :'a'::timestamptz + interval '59 minutes') AS queued;
-- Due: one SCHEDULED job, due at the grid instant; the grid moves on.
SELECT dataexport._queue_due_jobs(10, :'a'::timestamptz + interval '1 hour') AS queued;
SELECT kind, due_at - :'a'::timestamptz AS due FROM dataexport.job
 WHERE schedule_id = :sid AND status = 'PENDING';
SELECT next_run_at - timing_anchor AS next_run FROM dataexport.schedule WHERE schedule_id = :sid;

-- Due again while a job is still waiting: the runs coalesce into that job.
SELECT dataexport._queue_due_jobs(10, :'a'::timestamptz + interval '2 hours 10 minutes') AS queued;
SELECT count(*) AS pending FROM dataexport.job WHERE schedule_id = :sid AND status = 'PENDING';
SELECT next_run_at - timing_anchor AS next_run FROM dataexport.schedule WHERE schedule_id = :sid;

-- One job of a schedule at a time: with a job RUNNING, the next waits.
SELECT dataexport.run_schedule_now(:sid) > 0 AS queued_manual;
SELECT dataexport._claim_job(10, pg_backend_pid()) IS NOT NULL AS claimed_first;
SELECT dataexport._claim_job(10, pg_backend_pid()) IS NULL AS second_waits;
SELECT status, count(*) FROM dataexport.job WHERE schedule_id = :sid GROUP BY 1 ORDER BY 1;
-- (Give the claimed job back, as a crash would: the sweep fails it.)
UPDATE dataexport.job SET worker_pid = 0 WHERE status = 'RUNNING';
SELECT dataexport._fail_orphaned_jobs('interrupted') AS failed;
CALL dataexport.run_pending();
SELECT status, count(*) FROM dataexport.job WHERE schedule_id = :sid GROUP BY 1 ORDER BY 1;

-- After downtime (ten missed runs): one catch-up job, then back on the grid.
SELECT dataexport._queue_due_jobs(10, :'a'::timestamptz + interval '13 hours 30 minutes') AS queued;
SELECT dataexport._queue_due_jobs(10, :'a'::timestamptz + interval '13 hours 30 minutes') AS queued_again;
SELECT next_run_at - timing_anchor AS next_run FROM dataexport.schedule WHERE schedule_id = :sid;
CALL dataexport.run_pending();

-- A disabled schedule never fires; run_schedule_now still works.
SELECT dataexport.update_schedule(:sid, enabled => false);
SELECT dataexport._queue_due_jobs(10, :'a'::timestamptz + interval '100 hours') AS queued;
SELECT dataexport.run_schedule_now(:sid) > 0 AS queued_manual;
CALL dataexport.run_pending();
SELECT kind, status FROM dataexport.jobs WHERE schedule_id = :sid ORDER BY job_id DESC LIMIT 1;

-- Re-enabled, it goes on from its grid after now, without catching up.
SELECT dataexport.update_schedule(:sid, enabled => true);
SELECT next_run_at > now() AND next_run_at <= now() + interval '1 hour' AS next_within_the_hour,
       extract(epoch FROM next_run_at - timing_anchor)::bigint % 3600 = 0 AS on_grid
  FROM dataexport.schedule WHERE schedule_id = :sid;

-- A timing change re-anchors the grid at the update; next_runs shows it.
SELECT dataexport.update_schedule(:sid, schedule_type => 'DAY', period => 2, schedule_offset => 6);
SELECT count(*) AS runs,
       bool_and(extract(hour FROM r AT TIME ZONE 'UTC') = 6 AND extract(minute FROM r AT TIME ZONE 'UTC') = 0) AS at_06_00,
       bool_and(r > now()) AS after_now
  FROM dataexport.next_runs(:sid, 5) r;
SELECT max(d) = min(d) AND min(d) = interval '2 days' AS every_two_days
  FROM (SELECT r - lag(r) OVER (ORDER BY r) AS d FROM dataexport.next_runs(:sid, 5) r) x;
SELECT n.next_run_at = (SELECT min(r) FROM dataexport.next_runs(:sid, 1) r) AS view_agrees
  FROM dataexport.schedules n WHERE schedule_id = :sid;

SELECT dataexport.delete_schedule(:sid);
SELECT dataexport.unregister_entity('RR');
DROP TABLE rr;
DELETE FROM dataexport.job;
