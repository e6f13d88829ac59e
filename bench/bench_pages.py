"""Requests per second of the site's main pages for a member, in one run, as ratios.

Usage (from the repository root; a database with ml-latest-small imported and a
trained, serving model):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/nextfilms_bench \\
    CACHE_URL=redis://127.0.0.1:6379/1 MODEL_DIR=var/models \\
    python bench/bench_pages.py [--seconds 15] [--connections 32]

It starts gunicorn as the ``Procfile`` does (``--preload``, 2 workers,
production settings: ``DEBUG=false``) on 127.0.0.1, signs in a bench member
with 50 ratings (``bench_web.setup_member``), sends the session and CSRF
cookies a browser holds after its first page, checks that each page answers 200
to that member, warms it up, then loads each page in turn with ``wrk``
(Debian's ``wrk``; ``--connections`` concurrent connections for ``--seconds``
seconds, loopback only, asking for gzip as browsers do). It prints requests per
second, median and p99 latency, errors (non-2xx/3xx answers, socket errors and
timeouts past 60 s), the HTML's size raw and as sent, and each page's requests per second
as a share of the member's ``/about/``.

Every request of a run is the same member reloading the same page, so members'
pages come from their own cache (``catalog/page_cache.py``) after the first;
``MEMBER_PAGE_CACHE_SECONDS=0`` in the environment measures every page
rendered afresh, as after each rating.
"""

import argparse
import gzip
import os
import re
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

# (label, path, as the member?) — the film is filled in after setup.
PAGES = [
    ("/about/ (member)", "/about/", True),
    ("For you", "/for-you/", True),
    ("film page (member)", "/films/{film}/", True),
    ("Browse (member)", "/browse/", True),
    ("Discover (member)", "/", True),
    ("Discover (visitor)", "/", False),
]


def unrated_popular_film(cookie):
    """A popular film the bench member has not rated (their film page shows the empty widget)."""
    from catalog.models import Movie
    from ratings.models import Rating

    rated = Rating.objects.filter(user__username="bench-member").values("movie_id")
    return Movie.objects.visible().popular().exclude(pk__in=rated).values_list("pk", flat=True)[0]


def get(url, cookie, gzip_ok):
    headers = {"Cookie": cookie} if cookie else {}
    if gzip_ok:
        headers["Accept-Encoding"] = "gzip"
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=180) as response:
        body = response.read()
        encoding = response.headers.get("Content-Encoding", "")
        return response.status, body, encoding


def with_csrf_cookie(url, cookie):
    """The member's cookies as a browser sends them after its first page: session and CSRF."""
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=180) as response:
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            if name == "csrftoken":
                return f"{cookie}; csrftoken={rest.split(';')[0]}"
    raise SystemExit(f"{url} set no CSRF cookie")


def page_sizes(url, cookie):
    """(raw bytes, bytes as sent to a client that accepts gzip, content encoding)."""
    status, raw, _ = get(url, cookie, gzip_ok=False)
    if status != 200:
        raise SystemExit(f"{url} answered {status}")
    _, sent, encoding = get(url, cookie, gzip_ok=True)
    if encoding == "gzip":
        assert len(gzip.decompress(sent)) >= len(raw) * 0.9
    return raw, len(sent), encoding or "identity"


def wrk(url, cookie, connections, seconds):
    command = [
        "wrk",
        f"--threads={min(2, connections)}",
        f"--connections={connections}",
        f"--duration={seconds}s",
        "--timeout=60s",
        "--latency",
        "--header=Accept-Encoding: gzip",
    ]
    if cookie:
        command.append(f"--header=Cookie: {cookie}")
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    return parse_wrk(output)


def _ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def parse_wrk(output):
    latency = dict(re.findall(r"^\s+(50|99)%\s+(\S+)\s*$", output, re.MULTILINE))
    if "50" not in latency:
        raise SystemExit(f"wrk measured no answer:\n{output}")
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = (sum(map(int, sockets.groups())) if sockets else 0) + (
        int(non_2xx.group(1)) if non_2xx else 0
    )
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "p50_ms": _ms(latency["50"]),
        "p99_ms": _ms(latency["99"]),
        "errors": errors,
    }


def drain(port):
    """Wait until the server has worked off the previous page's queue (a quick /about/)."""
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        started = time.monotonic()
        get(f"http://127.0.0.1:{port}/about/", "", gzip_ok=False)
        if time.monotonic() - started < 0.5:
            return
        time.sleep(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8932)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nextfilms.settings")
    # The session is signed here and read by gunicorn: both need the same key.
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("DEBUG", "true")  # for setup only; gunicorn runs with DEBUG=false
    from bench_web import setup_member, start_gunicorn

    cookie = setup_member()
    film = unrated_popular_film(cookie)
    server = start_gunicorn(args.port, args.workers)
    results = []
    try:
        cookie = with_csrf_cookie(f"http://127.0.0.1:{args.port}/about/", cookie)
        for label, path, as_member in PAGES:
            drain(args.port)
            url = f"http://127.0.0.1:{args.port}{path.format(film=film)}"
            page_cookie = cookie if as_member else ""
            raw, sent, encoding = page_sizes(url, page_cookie)
            if as_member and b"bench-member" not in raw:
                raise SystemExit(f"{url} was not served to the signed-in member")
            wrk(url, page_cookie, args.connections, 3)  # warm-up: every worker, every cache
            drain(args.port)
            result = wrk(url, page_cookie, args.connections, args.seconds)
            results.append((label, path, result, len(raw), sent, encoding))
            print(f"{label}: {result['rps']:.0f} req/s", file=sys.stderr, flush=True)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    baseline = results[0][2]["rps"]
    print(
        f"{args.workers} gunicorn workers, {args.connections} connections, "
        f"{args.seconds} s per page, film {film}"
    )
    print("| page | req/s | × /about/ | median | p99 | errors | HTML | sent |")
    print("|---|---|---|---|---|---|---|---|")
    for label, _path, result, raw, sent, encoding in results:
        print(
            f"| {label} | {result['rps']:.1f} | {result['rps'] / baseline:.2f} "
            f"| {result['p50_ms']:.0f} ms | {result['p99_ms']:.0f} ms | {result['errors']} "
            f"| {raw / 1024:.0f} KB | {sent / 1024:.1f} KB {encoding} |"
        )


if __name__ == "__main__":
    main()
