"""Median milliseconds per request of the member's pages, in this one process.

Usage (same environment as bench_pages.py; DEBUG off):

    python bench/profile_pages.py [--n 30] [--profile "For you"]

Signs in the bench member (50 ratings, ``bench_web.setup_member``) with Django's
test client, warms each page up, then times ``--n`` requests per page and prints
the median, and the median CPU time of this process alone (less noisy than
wall time on a loaded machine; it leaves out PostgreSQL's and Redis's share).
``--profile LABEL`` prints cProfile's top functions for that page.
"""

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nextfilms.settings")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--profile", default="")
    args = parser.parse_args()
    from bench_web import setup_member

    setup_member()
    from bench_pages import unrated_popular_film
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench-member"))
    film = unrated_popular_film(None)
    pages = [
        ("/about/", "/about/"),
        ("For you", "/for-you/"),
        ("film page", f"/films/{film}/"),
        ("Browse", "/browse/"),
        ("Discover", "/"),
    ]
    base = None
    for label, path in pages:
        for _ in range(3):
            response = client.get(path, secure=True)
            assert response.status_code == 200, (
                path,
                response.status_code,
                response.get("Location"),
            )
        times, cpu = [], []
        profiler = cProfile.Profile() if label == args.profile else None
        for _ in range(args.n):
            start, start_cpu = time.perf_counter(), time.process_time()
            if profiler:
                profiler.enable()
            client.get(path, secure=True)
            if profiler:
                profiler.disable()
            times.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
        median = statistics.median(times)
        base = base or median
        print(
            f"{label:12} {median:8.1f} ms  ({base / median:.2f}× /about/)"
            f"  this process's CPU {statistics.median(cpu):6.1f} ms",
            flush=True,
        )
        if profiler:
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(
                os.environ.get("PROFILE_FILTER", ""), 40
            )


if __name__ == "__main__":
    main()
