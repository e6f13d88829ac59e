"""``manage.py sync_tmdb``: fetch TMDB metadata here, or hand the work to the workers."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from catalog import tasks
from catalog.models import Movie, SyncRun
from catalog.tmdb import api, runs, sync


class Command(BaseCommand):
    help = (
        "Fetch TMDB metadata: --backfill every film still owed a fetch (resumes where the "
        "last run stopped), --changes the films TMDB changed since the last pass, "
        "--movie ID one film (its id on the site), or --resume RUN the chunks of a stalled "
        "run that never finished. Runs here unless --enqueue is given."
    )

    def add_arguments(self, parser):
        what = parser.add_mutually_exclusive_group(required=True)
        what.add_argument("--backfill", action="store_true")
        what.add_argument("--changes", action="store_true")
        what.add_argument("--movie", type=int, metavar="ID")
        what.add_argument("--resume", type=int, metavar="RUN")
        parser.add_argument(
            "--enqueue", action="store_true", help="Send the work to the Celery workers."
        )
        parser.add_argument("--chunk-size", type=int, default=runs.CHUNK_SIZE)

    def handle(self, *args, backfill, changes, movie, resume, enqueue, chunk_size, **options):
        if not settings.TMDB_API_TOKEN:
            raise CommandError("TMDB_API_TOKEN is not set.")
        if chunk_size < 1:
            raise CommandError("--chunk-size must be at least 1.")
        if movie is not None:
            self.sync_one(movie, enqueue)
            return
        try:
            if backfill:
                plan = runs.plan_backfill(chunk_size)
            elif changes:
                plan = runs.plan_changes(chunk_size=chunk_size)
            else:
                plan = self.resume(resume)
        except api.TMDBError as exc:
            raise CommandError(f"TMDB could not be asked: {exc}") from exc
        if plan is None:
            problem = runs.auth_problem()
            raise CommandError(problem or "A run of this kind is already in progress.")
        if enqueue:
            try:
                tasks.dispatch(plan)
            except tasks.QueueingFailed as exc:
                raise CommandError(exc) from exc
            films = sum(len(chunk) for chunk in plan.chunks)
            self.stdout.write(f"{plan.run}: {films:,} films sent to the workers.")
            return
        run = runs.run_in_process(plan, on_chunk=self.report)
        self.report(run)
        if run.status == run.Status.STOPPED:
            raise CommandError(run.last_error)

    def resume(self, run_id):
        try:
            return runs.resume_run(run_id)
        except SyncRun.DoesNotExist:
            raise CommandError(f"There is no sync run with id {run_id}.")
        except runs.NotResumable as exc:
            raise CommandError(exc) from exc

    def sync_one(self, movie_id, enqueue):
        if not Movie.objects.filter(pk=movie_id).exists():
            raise CommandError(f"There is no movie with id {movie_id}.")
        if enqueue:
            try:
                tasks.sync_tmdb_movie.delay(movie_id)
            except tasks.BROKER_ERRORS as exc:
                raise CommandError(
                    f"The task queue did not answer ({runs.one_line(exc)}); nothing was "
                    "sent. Check CELERY_BROKER_URL and that the broker runs."
                ) from exc
            self.stdout.write(f"Movie {movie_id} sent to the workers.")
            return
        try:
            status = sync.sync_movie(movie_id)
        except api.TMDBError as exc:
            raise CommandError(f"TMDB sync of movie {movie_id} failed: {exc}") from exc
        movie = Movie.objects.get(pk=movie_id)
        self.stdout.write(f"{movie}: {movie.get_tmdb_status_display()}. {movie.tmdb_last_error}")
        if status == Movie.TmdbStatus.FAILED:
            raise CommandError(movie.tmdb_last_error)

    def report(self, run):
        self.stdout.write(
            f"{run}: {run.processed:,} of {run.total:,} — {run.done:,} synced, "
            f"{run.not_found:,} not found, {run.failed:,} failed ({run.get_status_display()})."
        )
