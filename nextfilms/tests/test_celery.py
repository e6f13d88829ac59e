"""The Celery settings that decide what happens when a worker dies or the broker hangs."""

from django.conf import settings

from catalog.tmdb import runs
from nextfilms.celery import app


def registered_tasks():
    app.loader.import_default_modules()
    return {name: task for name, task in app.tasks.items() if not name.startswith("celery.")}


def test_no_task_runs_longer_than_redis_hides_it_from_other_workers():
    # A task still running when its visibility timeout ends is handed out twice;
    # a killed worker's task must come back no later than the longest task could run.
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    limits = {
        name: task.time_limit or app.conf.task_time_limit
        for name, task in registered_tasks().items()
    }
    assert "catalog.tasks.sync_tmdb_chunk" in limits
    assert max(limits.values()) < visibility <= max(limits.values()) + 5 * 60


def test_a_run_counts_as_stalled_only_after_a_chunk_would_have_been_killed():
    chunk = registered_tasks()["catalog.tasks.sync_tmdb_chunk"]
    assert chunk.soft_time_limit < chunk.time_limit
    assert chunk.time_limit <= runs.RUN_STALLED_AFTER.total_seconds()


def test_sending_to_a_silent_broker_gives_up_within_seconds():
    options = app.conf.broker_transport_options
    timeout = settings.CELERY_BROKER_CONNECTION_TIMEOUT
    assert options["socket_timeout"] == options["socket_connect_timeout"] == timeout
    policy = app.conf.task_publish_retry_policy
    assert (policy["max_retries"] + 1) * timeout + policy["max_retries"] * policy[
        "interval_max"
    ] <= 30
