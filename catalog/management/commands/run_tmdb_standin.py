"""``manage.py run_tmdb_standin``: serve the local TMDB stand-in for offline development."""

from django.core.management.base import BaseCommand, CommandError

from devtools.tmdb_standin import Faults, TMDBStandin, data_dir_from_env


class Command(BaseCommand):
    help = (
        "Serve a local stand-in for the TMDB v3 API built from ../shared/data/tmdb, "
        "optionally with rate limiting, errors and slow answers. Then run the site with "
        "TMDB_API_URL=http://127.0.0.1:PORT/3 TMDB_API_TOKEN=anything."
    )

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8910)
        parser.add_argument(
            "--data", help="The shared TMDB data folder (default: TMDB_STANDIN_DATA or ../shared)."
        )
        parser.add_argument("--rate-limit", type=float, help="Answer 429 past this many req/s.")
        parser.add_argument(
            "--retry-after",
            type=int,
            default=1,
            help="Seconds sent in Retry-After with 429s; 0 sends no header.",
        )
        parser.add_argument("--error-rate", type=float, default=0.0, help="Share answered 500.")
        parser.add_argument("--slow-rate", type=float, default=0.0, help="Share answered slowly.")
        parser.add_argument("--slow-seconds", type=float, default=2.0)
        parser.add_argument(
            "--not-found", default="", help="Comma-separated TMDB ids to answer 404 for."
        )
        parser.add_argument("--token", help="Accept only this credential (others get 401).")

    def handle(self, *args, **options):
        faults = Faults(
            rate_limit=options["rate_limit"],
            retry_after=options["retry_after"] or None,
            error_rate=options["error_rate"],
            slow_rate=options["slow_rate"],
            slow_seconds=options["slow_seconds"],
            not_found_ids={int(i) for i in options["not_found"].split(",") if i.strip()},
            token=options["token"],
        )
        try:
            standin = TMDBStandin(
                options["data"] or data_dir_from_env(),
                host=options["host"],
                port=options["port"],
                faults=faults,
            )
        except (FileNotFoundError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"TMDB stand-in serving {len(standin.catalog.movie_ids):,} films at {standin.url}\n"
            f"Run the site with TMDB_API_URL={standin.url} TMDB_API_TOKEN=anything. "
            "Ctrl-C stops it."
        )
        try:
            standin.serve_forever()
        except KeyboardInterrupt:
            self.stdout.write(f"Stopped after {len(standin.requests):,} requests.")
