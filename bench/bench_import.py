"""Time ``import_movielens`` into PostgreSQL, end to end and by phase.

Usage (from the repository root, PostgreSQL running):

    python devtools/generate_movielens.py /tmp/ml32m-synth --preset 32m
    python bench/bench_import.py /tmp/ml32m-synth --runs 3

Each run imports into a fresh database (``nextfilms_bench``, dropped first), so
every run is a first import; ``--reimport`` times a second import on top of
the first instead. Prints the per-run phases and the median.
"""

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def psql(sql, server_url):
    subprocess.run(["psql", server_url, "-qc", sql], check=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="MovieLens zip or folder")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--database", default="nextfilms_bench")
    parser.add_argument("--reimport", action="store_true", help="time a re-import")
    args = parser.parse_args()

    os.environ.update(
        DEBUG="true",
        DATABASE_URL=f"{args.server}/{args.database}",
        DJANGO_SETTINGS_MODULE="nextfilms.settings",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from ratings.movielens import import_movielens

    totals = []
    for run in range(1, args.runs + 1):
        connection.close()
        if not args.reimport or run == 1:
            psql(f"DROP DATABASE IF EXISTS {args.database}", f"{args.server}/postgres")
            psql(f"CREATE DATABASE {args.database}", f"{args.server}/postgres")
            call_command("migrate", verbosity=0)
            if args.reimport:
                import_movielens(args.source, progress=False)
        started = time.perf_counter()
        report = import_movielens(args.source, progress=False)
        total = time.perf_counter() - started
        totals.append(total)
        phases = ", ".join(f"{name} {seconds:.1f}s" for name, seconds in report.seconds.items())
        print(
            f"run {run}: {total:.1f}s for {report.ratings:,} ratings, "
            f"{report.movies_created + report.movies_updated:,} movies, "
            f"{report.users:,} users ({phases})",
            flush=True,
        )
    print(f"median: {statistics.median(totals):.1f}s over {len(totals)} runs")


if __name__ == "__main__":
    main()
