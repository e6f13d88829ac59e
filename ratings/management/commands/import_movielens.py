"""``manage.py import_movielens [SOURCE]``: load or refresh the MovieLens catalog."""

from django.core.management.base import BaseCommand, CommandError

from catalog.models import Movie
from catalog.movielens.source import MovieLensImportError
from ratings.movielens import import_movielens


class Command(BaseCommand):
    help = (
        "Import a MovieLens data set (ml-latest-small, ml-latest or ml-32m) from a zip, "
        "a folder or a URL. Re-running updates the catalog and replaces the training "
        "ratings; a failure leaves the previous catalog untouched."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "source",
            nargs="?",
            help="Zip file, extracted folder or URL (default: MOVIELENS_SOURCE).",
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not draw progress bars.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the catalog already has movies (for first-run scripts).",
        )

    def handle(self, *args, source=None, no_progress=False, if_empty=False, **options):
        if if_empty and (count := Movie.objects.count()):
            self.stdout.write(f"The catalog already has {count:,} movies; not importing.")
            return
        try:
            report = import_movielens(source, progress=not no_progress)
        except MovieLensImportError as exc:
            raise CommandError(f"Import failed, nothing was changed: {exc}") from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {report.movies_created + report.movies_updated:,} movies "
                f"({report.movies_created:,} new, {report.movies_updated:,} updated), "
                f"{report.genres} genres, {report.tags:,} tags, {report.ratings:,} ratings "
                f"from {report.users:,} MovieLens users."
            )
        )
