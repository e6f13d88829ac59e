"""``manage.py train_recommender``: train on every rating and publish the model."""

from django.core.management.base import BaseCommand, CommandError

from recommender.training import TrainingInProgress, train_and_publish


class Command(BaseCommand):
    help = (
        "Train the recommender on the MovieLens and site ratings. Skips when nothing "
        "changed since the serving model; publishes unless holdout quality fell."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Train even if the data did not change."
        )
        parser.add_argument(
            "--tolerance",
            type=float,
            default=0.02,
            help="How far holdout nDCG@20 may fall below the serving model's (default 0.02).",
        )

    def handle(self, *args, force=False, tolerance=0.02, **options):
        try:
            outcome = train_and_publish(force=force, tolerance=tolerance)
        except TrainingInProgress as refused:
            raise CommandError(refused) from refused
        version = outcome.version
        if version is not None and version.timings:
            timings = ", ".join(f"{key} {value}s" for key, value in version.timings.items())
            self.stdout.write(
                f"{version.name}: {version.n_ratings:,} ratings, {version.n_users:,} users, "
                f"{version.n_items:,} films; {timings}; metrics {version.metrics}"
            )
        style = self.style.SUCCESS if outcome.published else self.style.WARNING
        self.stdout.write(style(outcome.message))
