"""Serve the recommendations page with gunicorn and measure memory and latency.

Usage (from the repository root; a database with MovieLens ratings and a
trained, serving model, e.g. after ``bench_import.py`` and ``train_recommender``):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nextfilms_bench \\
    MODEL_DIR=/tmp/bench-models python bench/bench_web.py --workers 1 4

For each worker count it starts gunicorn on 127.0.0.1, signs in a bench member
with 50 ratings, warms every worker up with requests to ``--path`` (default
``/for-you/``), then reports the proportional set size (PSS) and private memory
of the master and each worker from ``/proc/<pid>/smaps_rollup``, and the
latency of ``--path`` under ``--clients`` concurrent clients (bounded request
count, loopback only). ``--visitor`` sends no session cookie: the page as a
visitor who is not logged in gets it (compare ``ANONYMOUS_PAGE_CACHE_SECONDS=0``
to see what the visitors' page cache saves). The member sends no CSRF cookie,
so their page is rendered afresh every time, never from their own page cache
(``bench_pages.py`` measures that).
"""

import argparse
import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_member():
    """A member with 50 ratings of popular films; returns a session cookie for them."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import (
        BACKEND_SESSION_KEY,
        HASH_SESSION_KEY,
        SESSION_KEY,
        get_user_model,
    )

    from accounts.sessions import SessionStore
    from catalog.models import Movie
    from ratings.models import Rating

    user, _ = get_user_model().objects.get_or_create(
        username="bench-member", defaults={"email": "bench@example.invalid"}
    )
    user.set_password(secrets.token_urlsafe(16))
    user.save()
    Rating.objects.filter(user=user).delete()
    popular = Movie.objects.popular()[:200:4]
    Rating.objects.bulk_create(
        Rating(user=user, movie=movie, value=[3.0, 4.0, 4.5, 5.0][i % 4])
        for i, movie in enumerate(popular)
    )
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "accounts.backends.UsernameOrEmailBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return f"{settings.SESSION_COOKIE_NAME}={session.session_key}"


def memory(pid):
    """PSS and private (clean + dirty) memory of a process, in MB."""
    fields = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        fields[name] = int(value.split()[0]) / 1024
    return fields["Pss"], fields["Private_Clean"] + fields["Private_Dirty"]


def children(pid):
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in path.read_text().split()]


def fetch(url, cookie):
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()
        status = response.status
    return time.perf_counter() - started, status


def load(url, cookie, clients, requests_per_client):
    """Latencies of ``clients`` threads each making ``requests_per_client`` requests."""
    latencies, errors, lock = [], [], threading.Lock()

    def client():
        for _ in range(requests_per_client):
            try:
                seconds, status = fetch(url, cookie)
            except OSError as exc:
                with lock:
                    errors.append(str(exc))
                continue
            with lock:
                (latencies if status == 200 else errors).append(seconds)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, errors, time.perf_counter() - started


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def start_gunicorn(port, workers):
    """gunicorn as the Procfile starts it (``--preload``, production settings), once it answers."""
    env = {
        **os.environ,
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
    }
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0"],
        cwd=ROOT,
        env=env,
        check=True,
    )
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "nextfilms.wsgi",
            "--preload",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    for _ in range(150):
        try:
            fetch(f"http://127.0.0.1:{port}/about/", "")
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not answer")


def run(workers, port, cookie, clients, requests_per_client, path="/for-you/"):
    server = start_gunicorn(port, workers)
    url = f"http://127.0.0.1:{port}{path}"
    try:
        # Warm-up: enough concurrent requests that every worker loads the model.
        load(url, cookie, clients=workers * 2, requests_per_client=10)
        master_pss, master_private = memory(server.pid)
        worker_memory = [memory(pid) for pid in children(server.pid)]
        latencies, errors, wall = load(url, cookie, clients, requests_per_client)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return {
        "workers": workers,
        "master_pss": master_pss,
        "master_private": master_private,
        "worker_pss": [pss for pss, _ in worker_memory],
        "worker_private": [private for _, private in worker_memory],
        "total_pss": master_pss + sum(pss for pss, _ in worker_memory),
        "requests": len(latencies),
        "errors": len(errors),
        "p50_ms": statistics.median(latencies) * 1000 if latencies else None,
        "p95_ms": percentile(latencies, 0.95) * 1000 if latencies else None,
        "throughput": len(latencies) / wall,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--port", type=int, default=8931)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests-per-client", type=int, default=20)
    parser.add_argument("--path", default="/for-you/", help="the page to load")
    parser.add_argument("--visitor", action="store_true", help="request it logged out")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nextfilms.settings")
    os.environ.setdefault("DEBUG", "true")
    # The session is signed here and read by gunicorn: both need the same key.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    cookie = "" if args.visitor else setup_member()
    print(
        "| workers | master PSS | worker PSS (each) | worker private (each) | web tier PSS "
        "| requests | errors | p50 | p95 | req/s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for workers in args.workers:
        result = run(workers, args.port, cookie, args.clients, args.requests_per_client, args.path)
        print(
            f"| {workers} | {result['master_pss']:.0f} MB "
            f"| {', '.join(f'{v:.0f}' for v in result['worker_pss'])} MB "
            f"| {', '.join(f'{v:.0f}' for v in result['worker_private'])} MB "
            f"| {result['total_pss']:.0f} MB | {result['requests']} | {result['errors']} "
            f"| {result['p50_ms']:.0f} ms | {result['p95_ms']:.0f} ms "
            f"| {result['throughput']:.0f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
