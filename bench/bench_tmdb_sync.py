"""Benchmark the TMDB sync: thousands of films through real workers against a faulty stand-in.

Usage (from the repository root, PostgreSQL and Redis running):

    python bench/bench_tmdb_sync.py --films 3000

A fresh database (``nextfilms_bench_tmdb``, dropped first) gets films from the
stand-in's catalog (``tmdb_5000_movies.csv``): most with a TMDB id, some with only
an IMDb id (resolved through ``/find``), a few that TMDB answers 404 for. The
stand-in runs in this process with faults on (429 past 40 requests/s with a
Retry-After of 1 s, 2% of answers 500, 1% answered after 1.5 s). Two worker
processes on Redis database 14 (flushed) run one backfill at the configured
rate (35 requests/s), logging to ``var/bench-tmdb-worker-N.log``. Prints a
markdown table: achieved rate against the configured one, 429s and other
retries, films lost (must be 0), wall time. ``--rate 45`` shows the sync
pushed past the stand-in's limit, honouring its 429s.
"""

import argparse
import os
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def psql(sql, server_url):
    subprocess.run(["psql", server_url, "-qc", sql], check=True)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--films", type=int, default=3000)
    parser.add_argument("--rate", type=float, default=35.0, help="TMDB_RATE_LIMIT for workers")
    parser.add_argument("--standin-limit", type=float, default=40.0, help="429 past this req/s")
    parser.add_argument("--error-rate", type=float, default=0.02)
    parser.add_argument("--slow-rate", type=float, default=0.01)
    parser.add_argument("--slow-seconds", type=float, default=1.5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=4, help="pool processes per worker")
    parser.add_argument("--chunk-size", type=int, default=100)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="nextfilms_bench_tmdb")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    parser.add_argument("--timeout", type=float, default=900, help="give up after (seconds)")
    return parser.parse_args()


def prepare_database(args):
    psql(f"DROP DATABASE IF EXISTS {args.database}", f"{args.server}/postgres")
    psql(f"CREATE DATABASE {args.database}", f"{args.server}/postgres")
    os.environ.update(
        DEBUG="true",
        DATABASE_URL=f"{args.server}/{args.database}",
        DJANGO_SETTINGS_MODULE="nextfilms.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_films(catalog, count):
    """Films from the stand-in's catalog: 1 in 20 known only by IMDb id, 1 in 200 gone."""
    from catalog.models import Movie

    ids = catalog.movie_ids[:count]
    films, gone = [], set()
    for number, tmdb_id in enumerate(ids, start=1):
        imdb_id = catalog.imdb_by_tmdb.get(tmdb_id, "")
        by_imdb_only = imdb_id and number % 20 == 0
        if number % 200 == 0:
            gone.add(tmdb_id)
        films.append(
            Movie(
                movielens_id=number,
                title=f"Film {number}",
                movielens_title=f"Film {number}",
                imdb_id=imdb_id,
                tmdb_id=None if by_imdb_only else tmdb_id,
            )
        )
    Movie.objects.bulk_create(films)
    return gone


def start_workers(args, standin):
    (ROOT / "var").mkdir(exist_ok=True)
    environment = {
        **os.environ,
        "CELERY_BROKER_URL": args.redis,
        "REDIS_URL": args.redis,
        "TMDB_API_URL": standin.url,
        "TMDB_API_TOKEN": "bench-token",
        "TMDB_RATE_LIMIT": str(args.rate),
        "LOG_LEVEL": "WARNING",
    }
    workers = []
    for number in range(args.workers):
        command = [
            str(ROOT / ".venv" / "bin" / "celery")
            if (ROOT / ".venv" / "bin" / "celery").exists()
            else "celery",
            "-A",
            "nextfilms",
            "worker",
            "--loglevel=WARNING",
            f"--concurrency={args.concurrency}",
            f"--hostname=bench-{number}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
        log = (ROOT / "var" / f"bench-tmdb-worker-{number}.log").open("w")
        workers.append(
            subprocess.Popen(
                command,
                cwd=ROOT,
                env=environment,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    return workers


def wait_for_workers(args, count, timeout=60):
    from celery import Celery

    app = Celery("bench", broker=args.redis)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0) or []
        if len(replies) >= count:
            return app
    raise SystemExit("The workers did not start.")


def stop(workers):
    for process in workers:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in workers:
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def wait_for_backfill(timeout):
    from catalog.models import SyncRun

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = SyncRun.objects.filter(kind=SyncRun.Kind.BACKFILL).first()
        if run and run.status != SyncRun.Status.RUNNING:
            return run
        time.sleep(0.5)
    raise SystemExit(f"The backfill did not finish in {timeout:.0f} s.")


def per_second_counts(starts):
    first = starts[0]
    seconds = Counter(int(start - first) for start in starts)
    # Whole seconds only: the first and the last are partly outside the run.
    return [seconds[second] for second in range(1, int(starts[-1] - first))]


def report(args, standin, run, wall_seconds, gone):
    from catalog.models import Movie

    requests = standin.recorded()
    starts = sorted(request.started for request in requests)
    statuses = Counter(request.status for request in requests)
    films = Counter(Movie.objects.values_list("tmdb_status", flat=True))
    achieved = (len(starts) - 1) / (starts[-1] - starts[0])
    per_second = per_second_counts(starts)
    fetched = Counter(
        request.path for request in requests if request.status == 200 and "/movie/" in request.path
    )
    lost = sum(films.values()) - films["ok"] - films["not_found"]
    rows = [
        ("films", f"{sum(films.values()):,}"),
        (
            "synced / not found / failed",
            f"{films['ok']:,} / {films['not_found']:,} / "
            f"{films['failed']:,} (404 forced for {len(gone)})",
        ),
        ("**films lost**", f"**{lost}**"),
        (
            "configured rate",
            f"{args.rate:g} req/s (stand-in answers 429 past {args.standin_limit:g})",
        ),
        ("**achieved rate** (all requests, first to last)", f"**{achieved:.1f} req/s**"),
        (
            "median / busiest whole second",
            f"{statistics.median(per_second):.0f} / {max(per_second)} requests",
        ),
        ("most requests in any 1 s window", f"{standin.max_in_window(1.0)}"),
        ("requests", f"{len(requests):,}"),
        ("429 answers", f"{statuses[429]:,}"),
        ("500 answers", f"{statuses[500]:,}"),
        ("retried requests (429 + 5xx)", f"{statuses[429] + statuses[500]:,}"),
        ("films fetched twice", f"{sum(1 for n in fetched.values() if n > 1)}"),
        ("most concurrent connections", f"{max(r.in_flight for r in requests)}"),
        (
            "wall time",
            f"{wall_seconds:.1f} s (ideal at the configured rate: "
            f"{len(requests) / args.rate:.1f} s)",
        ),
        (
            "sync run",
            f"{run} {run.get_status_display().lower()}: {run.done:,} synced, "
            f"{run.not_found:,} not found, {run.failed:,} failed of {run.total:,}",
        ),
    ]
    print(
        f"\nTMDB sync, {args.workers} workers × {args.concurrency} processes, chunks of "
        f"{args.chunk_size}; stand-in faults: 429 past {args.standin_limit:g} req/s "
        f"(Retry-After 1 s), {args.error_rate:.0%} 500s, {args.slow_rate:.0%} answered "
        f"after {args.slow_seconds:g} s\n"
    )
    print("| measure | value |\n|---|---|")
    for name, value in rows:
        print(f"| {name} | {value} |")
    return lost


def main():
    args = parse_args()
    prepare_database(args)
    import redis

    from devtools.tmdb_standin import Faults, TMDBStandin

    standin = TMDBStandin(
        faults=Faults(
            rate_limit=args.standin_limit,
            retry_after=1,
            error_rate=args.error_rate,
            slow_rate=args.slow_rate,
            slow_seconds=args.slow_seconds,
        ),
        seed=0,
    )
    gone = make_films(standin.catalog, args.films)
    standin.faults.not_found_ids = gone
    standin.start()
    redis.Redis.from_url(args.redis).flushdb()
    workers = start_workers(args, standin)
    try:
        app = wait_for_workers(args, args.workers)
        started = time.monotonic()
        app.send_task("catalog.tasks.sync_tmdb_backfill", kwargs={"chunk_size": args.chunk_size})
        run = wait_for_backfill(args.timeout)
        wall_seconds = time.monotonic() - started
    finally:
        stop(workers)
        standin.stop()
        redis.Redis.from_url(args.redis).flushdb()
    lost = report(args, standin, run, wall_seconds, gone)
    sys.exit(1 if lost else 0)


if __name__ == "__main__":
    main()
