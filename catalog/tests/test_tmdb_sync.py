"""Storing TMDB metadata, runs and chunks, the film-page hook, the admin and the command.

TMDB is the local stand-in; tasks run in-process (no broker), as in development.
"""

import dataclasses
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.contrib.admin.sites import site as admin_site
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerUnreachable

from catalog import tasks
from catalog.models import Company, Credit, Keyword, Movie, Person, SyncRun, TMDBSyncState
from catalog.search import search_movies
from catalog.tests.factories import make_movie
from catalog.tmdb import api, parsing, runs, sync
from catalog.tmdb.limits import local_gate
from devtools.tmdb_standin import TMDBStandin

pytestmark = pytest.mark.django_db

OK, NOT_FOUND, FAILED, PENDING = "ok", "not_found", "failed", "pending"
# Films of the stand-in's catalog (tmdb_5000_movies.csv).
AVATAR, PIRATES, SPECTRE, DARK_KNIGHT_RISES, JOHN_CARTER = 19995, 285, 206647, 49026, 49529


@pytest.fixture(scope="module")
def standin_server():
    server = TMDBStandin(seed=2).start()
    yield server
    server.stop()


@pytest.fixture
def standin(standin_server, settings, monkeypatch):
    """The stand-in, fresh for each test, and the settings that point the sync at it."""
    standin_server.reset()
    settings.TMDB_API_URL = standin_server.url
    settings.TMDB_API_TOKEN = "test-token"
    settings.TMDB_RATE_LIMIT = 1000
    monkeypatch.setattr(api, "RETRY_BASE_SECONDS", 0.001)
    cache.clear()
    return standin_server


@pytest.fixture
def client_tmdb(standin):
    return api.TMDBClient("test-token", standin.url, gate=local_gate(1000))


def credit_rows(movie):
    return sorted(
        Credit.objects.filter(movie=movie).values_list(
            "pk", "person__tmdb_id", "kind", "job", "department", "character", "order"
        )
    )


# --- One film -------------------------------------------------------------------


def test_sync_stores_details_credits_keywords_and_trailer(client_tmdb):
    movie = make_movie("Fight Club", genres=["Action", "Crime"], tmdb_id=550)

    assert sync.sync_movie(movie.pk, client=client_tmdb) == OK

    movie.refresh_from_db()
    assert movie.tmdb_status == OK and movie.tmdb_synced_at is not None
    assert (movie.runtime, movie.release_date, movie.imdb_id) == (
        139,
        date(1999, 10, 15),
        "tt0137523",
    )
    assert movie.overview.startswith("A ticking-time-bomb insomniac")
    assert movie.tagline == "Mischief. Mayhem. Soap."
    assert movie.poster_url == "https://image.tmdb.org/t/p/w342/pB8BM7pdSp6B6Ih7QZ4DrQ3PmJK.jpg"
    assert movie.trailer_youtube_key == "dfeUzm6KF4g"
    assert (movie.original_language, movie.tmdb_vote_count) == ("en", 27917)
    assert movie.tmdb_genres == ["Drama"]
    # MovieLens genres stay what the browse filters use.
    assert sorted(movie.genres.values_list("name", flat=True)) == ["Action", "Crime"]
    cast = list(movie.credits.cast().select_related("person"))
    assert len(cast) == parsing.TOP_CAST
    assert [(c.person.name, c.character, c.order) for c in cast[:2]] == [
        ("Edward Norton", "Narrator", 0),
        ("Brad Pitt", "Tyler Durden", 1),
    ]
    assert [c.person.name for c in movie.credits.directors()] == ["David Fincher"]
    writers = movie.credits.filter(department="Writing").values_list("person__name", "job")
    assert set(writers) == {("Chuck Palahniuk", "Novel"), ("Jim Uhls", "Screenplay")}
    assert movie.keywords.count() == 14
    assert movie.keywords.filter(name="dual identity", tmdb_id=851).exists()
    assert movie.companies.count() == 5
    assert movie.companies.filter(name="Fox 2000 Pictures", tmdb_id=711).exists()


def test_tmdb_title_becomes_the_display_title_and_movielens_forms_stay_searchable(client_tmdb):
    raw = "Amelie (Fabuleux destin d'Amélie Poulain, Le) (2001)"
    movie = make_movie("Amelie", movielens_title=raw, year=2001, tmdb_id=194)

    sync.sync_movie(movie.pk, client=client_tmdb)

    movie.refresh_from_db()
    assert (movie.title, movie.tmdb_title) == ("Amélie", "Amélie")
    assert search_movies("amelie") == [movie]
    assert search_movies("fabuleux destin") == [movie]


def test_syncing_twice_leaves_the_same_rows(client_tmdb):
    movie = make_movie(tmdb_id=550)
    sync.sync_movie(movie.pk, client=client_tmdb)
    before = (credit_rows(movie), Person.objects.count(), sorted(movie.keywords.values_list("pk")))

    sync.sync_movie(movie.pk, client=client_tmdb)

    after = (credit_rows(movie), Person.objects.count(), sorted(movie.keywords.values_list("pk")))
    assert after == before
    assert Keyword.objects.count() == 14
    assert Company.objects.count() == 5
    assert Company.objects.get(tmdb_id=711).search_text == "fox 2000 pictures"


def test_new_metadata_replaces_credits_and_keywords(client_tmdb):
    movie = make_movie(tmdb_id=550)
    sync.sync_movie(movie.pk, client=client_tmdb)
    metadata = parsing.parse_movie(client_tmdb.movie(550))
    renamed = ((metadata.companies[0][0], "Fox 2000"),)
    trimmed = dataclasses.replace(
        metadata,
        cast=metadata.cast[:3],
        writers=(),
        keywords=metadata.keywords[:2],
        companies=renamed,
    )

    sync.store_metadata(movie.pk, 550, trimmed)

    assert movie.credits.filter(kind="cast").count() == 3
    assert [c.person.name for c in movie.credits.filter(kind="crew")] == ["David Fincher"]
    assert movie.keywords.count() == 2
    assert list(movie.companies.values_list("tmdb_id", "name", "search_text")) == [
        (711, "Fox 2000", "fox 2000")
    ]
    assert Person.objects.filter(name="Jim Uhls").exists()  # people stay for other films


def test_people_in_several_films_are_stored_once(client_tmdb):
    fight_club = make_movie(tmdb_id=550)
    avatar = make_movie(tmdb_id=AVATAR)
    sync.sync_movie(fight_club.pk, client=client_tmdb)
    sync.sync_movie(avatar.pk, client=client_tmdb)

    # The stand-in casts every film from Fight Club's people, so they overlap.
    shared = set(fight_club.credits.values_list("person", flat=True)) & set(
        avatar.credits.values_list("person", flat=True)
    )
    assert shared
    credited = Credit.objects.values_list("person__tmdb_id", flat=True).distinct()
    assert Person.objects.count() == len(set(credited))


def test_film_without_tmdb_id_is_found_by_imdb_id(client_tmdb, standin):
    movie = make_movie(imdb_id="tt0499549")

    assert sync.sync_movie(movie.pk, client=client_tmdb) == OK

    movie.refresh_from_db()
    assert movie.tmdb_id == AVATAR
    assert [r.path for r in standin.recorded()] == ["/3/find/tt0499549", f"/3/movie/{AVATAR}"]


def test_unknown_imdb_id_is_not_found(client_tmdb):
    movie = make_movie(imdb_id="tt0000001")
    assert sync.sync_movie(movie.pk, client=client_tmdb) == NOT_FOUND
    movie.refresh_from_db()
    assert "tt0000001" in movie.tmdb_last_error
    assert movie.tmdb_id is None


def test_404_marks_the_film_not_found_without_retrying(client_tmdb, standin):
    standin.faults.not_found_ids = {AVATAR}
    movie = make_movie(tmdb_id=AVATAR)

    assert sync.sync_movie(movie.pk, client=client_tmdb) == NOT_FOUND

    movie.refresh_from_db()
    assert (movie.tmdb_status, movie.tmdb_attempts, movie.tmdb_next_attempt_at) == (
        NOT_FOUND,
        0,
        None,
    )
    assert len(standin.recorded()) == 1


def test_transient_failure_is_recorded_with_a_next_attempt(client_tmdb, standin):
    standin.faults.script.extend([500] * api.MAX_REQUEST_ATTEMPTS)
    movie = make_movie(tmdb_id=AVATAR)

    with pytest.raises(api.TMDBServerError):
        sync.sync_movie(movie.pk, client=client_tmdb)

    movie.refresh_from_db()
    assert (movie.tmdb_status, movie.tmdb_attempts) == (FAILED, 1)
    assert "500" in movie.tmdb_last_error
    wait = movie.tmdb_next_attempt_at - timezone.now()
    assert timedelta(minutes=1) < wait < timedelta(minutes=3)


def test_repeated_failures_wait_longer_then_wait_for_staff():
    delays = [sync.film_retry_delay(attempts) for attempts in range(1, 5)]
    assert delays == sorted(delays)
    assert sync.film_retry_delay(20) <= sync.LONGEST_RETRY * 1.2


def test_imdb_match_owned_by_another_film_waits_for_staff(client_tmdb):
    owner = make_movie("Fight Club", tmdb_id=550)
    duplicate = make_movie("Fight Club (again)", imdb_id="tt0137523")

    assert sync.sync_movie(duplicate.pk, client=client_tmdb) == FAILED

    duplicate.refresh_from_db()
    assert duplicate.tmdb_next_attempt_at is None
    assert f"#{owner.pk}" in duplicate.tmdb_last_error
    assert duplicate.tmdb_id is None


# --- Runs and chunks ------------------------------------------------------------


def make_backfill_catalog():
    now = timezone.now()
    owed = [make_movie(tmdb_id=i) for i in (AVATAR, PIRATES, SPECTRE, DARK_KNIGHT_RISES)]
    owed.append(
        make_movie(
            tmdb_id=JOHN_CARTER, tmdb_status=FAILED, tmdb_next_attempt_at=now, rating_count=1
        )
    )
    skipped = [
        make_movie(tmdb_id=550, tmdb_status=OK, tmdb_synced_at=now),
        make_movie(imdb_id="tt0000001", tmdb_status=NOT_FOUND),
        make_movie(
            imdb_id="tt0000002", tmdb_status=FAILED, tmdb_next_attempt_at=now + timedelta(1)
        ),
    ]
    return owed, skipped


def test_backfill_takes_films_owed_a_fetch_and_resumes_after_an_interruption(standin):
    owed, skipped = make_backfill_catalog()
    no_ids = make_movie("No ids at all")

    plan = runs.plan_backfill(chunk_size=2)

    assert plan.run.total == 5 and len(plan.chunks) == 3
    assert sorted(pk for chunk in plan.chunks for pk in chunk) == sorted(m.pk for m in owed)
    assert plan.chunks[0][0] == owed[-1].pk  # the most-rated film first
    no_ids.refresh_from_db()
    assert no_ids.tmdb_status == NOT_FOUND

    runs.sync_chunk(plan.run.pk, 0, plan.chunks[0])
    # The workers died here; while the run makes progress no second backfill starts.
    assert runs.plan_backfill(chunk_size=2) is None
    SyncRun.objects.filter(pk=plan.run.pk).update(updated_at=timezone.now() - timedelta(hours=1))

    resumed = runs.plan_backfill(chunk_size=2)
    run = runs.run_in_process(resumed)

    assert SyncRun.objects.get(pk=plan.run.pk).status == SyncRun.Status.STOPPED
    assert (run.status, run.total, run.done) == (SyncRun.Status.FINISHED, 3, 3)
    assert set(
        Movie.objects.filter(pk__in=[m.pk for m in owed]).values_list("tmdb_status", flat=True)
    ) == {OK}
    for movie in skipped:
        assert Movie.objects.get(pk=movie.pk).tmdb_status == movie.tmdb_status


def test_redelivered_chunk_redoes_only_what_it_had_not_finished(standin):
    first, second, third = (make_movie(tmdb_id=i).pk for i in (AVATAR, PIRATES, SPECTRE))
    plan = runs.plan_movies([first, second, third], chunk_size=2)
    assert plan.chunks == [[first, second], [third]]

    # The chunk dies after its first film (here: TMDB fails on the second one).
    standin.faults.script.extend([None] + [500] * api.MAX_REQUEST_ATTEMPTS)
    with pytest.raises(api.TMDBServerError):
        runs.sync_chunk(plan.run.pk, 0, plan.chunks[0])
    before = len(standin.recorded())
    runs.sync_chunk(plan.run.pk, 0, plan.chunks[0])
    runs.sync_chunk(plan.run.pk, 0, plan.chunks[0])

    assert [r.path for r in standin.recorded()[before:]] == [f"/3/movie/{PIRATES}"]
    run = SyncRun.objects.get(pk=plan.run.pk)
    assert (run.status, run.done) == (SyncRun.Status.RUNNING, 2)

    runs.sync_chunk(plan.run.pk, 1, plan.chunks[1])
    run.refresh_from_db()
    assert (run.status, run.total, run.done, run.processed) == (SyncRun.Status.FINISHED, 3, 3, 3)


def test_401_stops_the_run_and_tells_staff(standin):
    standin.faults.token = "the-real-token"
    movies = [make_movie(tmdb_id=i) for i in (AVATAR, PIRATES, SPECTRE)]
    plan = runs.plan_backfill(chunk_size=2)

    run = runs.run_in_process(plan)

    assert run.status == SyncRun.Status.STOPPED
    assert "Invalid API key" in run.last_error
    assert "Invalid API key" in runs.auth_problem()
    assert len(standin.recorded()) == 1  # no retries, no other film tried
    assert {Movie.objects.get(pk=m.pk).tmdb_status for m in movies} == {PENDING}


def test_a_sync_that_works_again_clears_the_recorded_credential_problem(standin):
    runs.record_auth_problem("TMDB refused the credential.")
    make_movie(tmdb_id=AVATAR)
    runs.run_in_process(runs.plan_backfill())
    assert runs.auth_problem() == ""


def test_chunk_retries_later_on_transient_failure_and_gives_up_on_its_last_try(standin):
    movies = [make_movie(tmdb_id=i) for i in (AVATAR, PIRATES)]
    plan = runs.plan_movies([m.pk for m in movies])
    first, second = plan.chunks[0]

    standin.faults.script.extend([500] * api.MAX_REQUEST_ATTEMPTS)
    with pytest.raises(api.TMDBServerError):
        runs.sync_chunk(plan.run.pk, 0, [first, second])
    assert Movie.objects.get(pk=first).tmdb_status == FAILED
    assert SyncRun.objects.get(pk=plan.run.pk).chunk_results == {}

    standin.faults.script.extend([500] * api.MAX_REQUEST_ATTEMPTS)
    counts = runs.sync_chunk(plan.run.pk, 0, [first, second], give_up=True)

    assert counts == {FAILED: 1, OK: 1}
    run = SyncRun.objects.get(pk=plan.run.pk)
    assert (run.status, run.done, run.failed) == (SyncRun.Status.FINISHED, 1, 1)
    assert Movie.objects.get(pk=first).tmdb_attempts == 2


def test_unexpected_error_fails_one_film_not_the_chunk(standin, monkeypatch):
    movies = [make_movie(tmdb_id=i) for i in (AVATAR, PIRATES)]
    real_parse = parsing.parse_movie

    def parse_breaking_on_avatar(body):
        if body["id"] == AVATAR:
            raise KeyError("surprise")
        return real_parse(body)

    monkeypatch.setattr(parsing, "parse_movie", parse_breaking_on_avatar)
    run = runs.run_in_process(runs.plan_movies([m.pk for m in movies]))

    assert (run.done, run.failed) == (1, 1)
    assert "surprise" in Movie.objects.get(pk=movies[0].pk).tmdb_last_error


def test_changes_pass_refreshes_changed_films_and_moves_the_watermark(client_tmdb, standin):
    today = date(2024, 5, 30)
    old = timezone.now() - timedelta(days=3)
    changed = [make_movie(tmdb_id=i, tmdb_status=OK, tmdb_synced_at=old) for i in (AVATAR, PIRATES)]
    unchanged = make_movie(tmdb_id=SPECTRE, tmdb_status=OK, tmdb_synced_at=old)
    standin.changed = [AVATAR, PIRATES, 999_999_999]
    state = TMDBSyncState.load()
    state.changes_synced_until = today - timedelta(days=20)
    state.save()

    plan = runs.plan_changes(client=client_tmdb, today=today)

    windows = [(r.query["start_date"], r.query["end_date"]) for r in standin.recorded()]
    assert windows == [("2024-05-10", "2024-05-24"), ("2024-05-24", "2024-05-30")]
    assert plan.run.kind == SyncRun.Kind.CHANGES
    assert sorted(plan.chunks[0]) == sorted(m.pk for m in changed)
    assert Movie.objects.get(pk=changed[0].pk).tmdb_status == PENDING
    # The watermark moves once the chunks are on their way, not before.
    assert TMDBSyncState.load().changes_synced_until == today - timedelta(days=20)

    run = runs.run_in_process(plan, client=client_tmdb)

    assert TMDBSyncState.load().changes_synced_until == today
    assert (run.status, run.done) == (SyncRun.Status.FINISHED, 2)
    assert Movie.objects.get(pk=unchanged.pk).tmdb_synced_at == old


def test_changes_pass_refused_credential_stops_and_keeps_the_watermark(client_tmdb, standin):
    standin.faults.token = "the-real-token"
    assert runs.plan_changes(client=client_tmdb, today=date(2024, 5, 30)) is None
    assert SyncRun.objects.get().status == SyncRun.Status.STOPPED
    assert TMDBSyncState.load().changes_synced_until is None
    assert runs.auth_problem()


def test_a_stalled_changes_run_is_stopped_like_a_stalled_backfill(client_tmdb, standin):
    make_movie(tmdb_id=AVATAR, tmdb_status=OK, tmdb_synced_at=timezone.now() - timedelta(days=3))
    standin.changed = [AVATAR]
    today = timezone.now().date()
    stalled = SyncRun.objects.create(kind=SyncRun.Kind.CHANGES, total=1, chunks_total=1)
    assert runs.plan_changes(client=client_tmdb, today=today) is None  # still fine

    quiet = timezone.now() - runs.RUN_STALLED_AFTER - timedelta(minutes=1)
    SyncRun.objects.filter(pk=stalled.pk).update(updated_at=quiet)
    plan = runs.plan_changes(client=client_tmdb, today=today)

    assert plan is not None and plan.run.total == 1
    stalled.refresh_from_db()
    assert stalled.status == SyncRun.Status.STOPPED
    assert "No chunk finished for 10 minutes" in stalled.last_error


def test_a_stalled_run_shows_as_stalled_and_resumes_only_its_unfinished_chunks(
    standin, staff_client, django_capture_on_commit_callbacks
):
    for tmdb_id in (AVATAR, PIRATES, SPECTRE, DARK_KNIGHT_RISES, JOHN_CARTER):
        make_movie(tmdb_id=tmdb_id)
    plan = runs.plan_backfill(chunk_size=2)
    run = plan.run
    # Chunk 1 finished; the worker holding chunks 0 and 2 was killed.
    runs.sync_chunk(run.pk, 1, plan.chunks[1])
    changelist = reverse("admin:catalog_syncrun_changelist")
    assert "Stalled" not in staff_client.get(changelist).content.decode()

    quiet = timezone.now() - runs.RUN_STALLED_AFTER - timedelta(minutes=1)
    SyncRun.objects.filter(pk=run.pk).update(updated_at=quiet)
    page = staff_client.get(changelist).content.decode()
    assert "Stalled: no chunk finished for 11 min" in page
    assert "2 of 5 (40%)" in page

    before = len(standin.recorded("/3/movie/"))
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            changelist, {"action": "resume_stalled_runs", "_selected_action": [run.pk]}, follow=True
        )

    assert "2 chunks (3 films) queued again" in response.content.decode()
    run.refresh_from_db()
    assert (run.status, run.done, run.processed) == (SyncRun.Status.FINISHED, 5, 5)
    assert len(standin.recorded("/3/movie/")) - before == 3
    # Redis hands the killed worker's chunk out again after its visibility timeout.
    runs.sync_chunk(run.pk, 0, plan.chunks[0])
    run.refresh_from_db()
    assert (run.status, run.done, run.processed) == (SyncRun.Status.FINISHED, 5, 5)
    assert len(standin.recorded("/3/movie/")) - before == 3

    with pytest.raises(CommandError, match="is finished, not running"):
        call_command("sync_tmdb", "--resume", str(run.pk))


def test_the_command_resumes_a_stalled_run_here(standin, capsys):
    for tmdb_id in (AVATAR, PIRATES, SPECTRE):
        make_movie(tmdb_id=tmdb_id)
    plan = runs.plan_backfill(chunk_size=2)
    runs.sync_chunk(plan.run.pk, 0, plan.chunks[0])

    call_command("sync_tmdb", "--resume", str(plan.run.pk))

    assert "3 of 3 — 3 synced, 0 not found, 0 failed (Finished)" in capsys.readouterr().out


def test_resume_is_for_staff_who_may_change_films(standin, client, django_user_model):
    SyncRun.objects.create(kind=SyncRun.Kind.BACKFILL)
    staff = django_user_model.objects.create_user("viewer", is_staff=True)
    staff.user_permissions.add(Permission.objects.get(codename="view_syncrun"))
    client.force_login(staff)
    changelist = reverse("admin:catalog_syncrun_changelist")
    assert "resume_stalled_runs" not in client.get(changelist).content.decode()

    staff.user_permissions.add(Permission.objects.get(codename="change_movie"))
    assert "resume_stalled_runs" in client.get(changelist).content.decode()


# --- The film page asks for a fetch -------------------------------------------


@pytest.fixture
def queued(standin, monkeypatch, settings):
    """Film ids sent to the workers, with a broker configured (not in-process)."""
    sent = []
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(tasks.sync_tmdb_movie, "delay", sent.append)
    return sent


def view(client, movie, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(movie.get_absolute_url())
    assert response.status_code == 200
    return response


def test_film_page_without_data_queues_one_fetch(
    client, queued, django_capture_on_commit_callbacks
):
    movie = make_movie(tmdb_id=AVATAR)
    view(client, movie, django_capture_on_commit_callbacks)
    view(client, movie, django_capture_on_commit_callbacks)
    assert queued == [movie.pk]


def test_film_page_with_stale_data_queues_a_fetch(
    client, queued, django_capture_on_commit_callbacks
):
    stale = timezone.now() - sync.STALE_AFTER - timedelta(days=1)
    movie = make_movie(tmdb_id=AVATAR, tmdb_status=OK, tmdb_synced_at=stale)
    view(client, movie, django_capture_on_commit_callbacks)
    assert queued == [movie.pk]


def test_a_visitor_page_waiting_for_its_details_is_not_cached(
    client, queued, django_capture_on_commit_callbacks
):
    movie = make_movie(tmdb_id=AVATAR)
    first = view(client, movie, django_capture_on_commit_callbacks)
    assert "no-cache" in first["Cache-Control"] and "X-Page-Cache" not in first
    # The fetch is queued once; the page after that is an ordinary cacheable one.
    assert view(client, movie, django_capture_on_commit_callbacks)["X-Page-Cache"] == "miss"
    assert view(client, movie, django_capture_on_commit_callbacks)["X-Page-Cache"] == "hit"


def test_details_arriving_from_tmdb_replace_the_cached_film_page(client, client_tmdb):
    movie = make_movie("Fight Club", tmdb_id=550)
    client.get(movie.get_absolute_url())
    assert client.get(movie.get_absolute_url())["X-Page-Cache"] == "hit"

    assert sync.sync_movie(movie.pk, client=client_tmdb) == OK

    page = client.get(movie.get_absolute_url())
    assert page["X-Page-Cache"] == "miss"
    assert "A ticking-time-bomb insomniac" in page.content.decode()


@pytest.mark.parametrize(
    "fields",
    [
        {"tmdb_id": AVATAR, "tmdb_status": OK, "tmdb_synced_at": timezone.now()},
        {"tmdb_id": AVATAR, "tmdb_status": NOT_FOUND},
        {"tmdb_id": AVATAR, "tmdb_status": FAILED, "tmdb_next_attempt_at": None},
        {"tmdb_id": None, "imdb_id": ""},
    ],
    ids=["fresh", "not-found", "failed-waiting-for-staff", "no-ids"],
)
def test_film_page_leaves_films_alone_that_need_no_fetch(
    client, queued, django_capture_on_commit_callbacks, fields
):
    view(client, make_movie(**fields), django_capture_on_commit_callbacks)
    assert queued == []


def test_film_page_queues_nothing_without_token_or_with_a_refused_one(
    client, queued, settings, django_capture_on_commit_callbacks
):
    movie = make_movie(tmdb_id=AVATAR)
    settings.TMDB_API_TOKEN = ""
    view(client, movie, django_capture_on_commit_callbacks)
    settings.TMDB_API_TOKEN = "test-token"
    runs.record_auth_problem("TMDB refused the credential.")
    view(client, movie, django_capture_on_commit_callbacks)
    assert queued == []


def test_film_page_fetches_nothing_inline_when_tasks_run_in_process(
    client, standin, django_capture_on_commit_callbacks
):
    movie = make_movie(tmdb_id=AVATAR)
    view(client, movie, django_capture_on_commit_callbacks)
    assert standin.recorded() == []


def test_film_page_renders_when_the_broker_is_down(
    client, queued, monkeypatch, django_capture_on_commit_callbacks
):
    def unreachable(movie_id):
        raise BrokerUnreachable("Connection refused")

    monkeypatch.setattr(tasks.sync_tmdb_movie, "delay", unreachable)
    view(client, make_movie(tmdb_id=AVATAR), django_capture_on_commit_callbacks)


def test_film_page_lists_keywords_and_never_shows_the_token(client, client_tmdb):
    movie = make_movie(tmdb_id=550)
    sync.sync_movie(movie.pk, client=client_tmdb)
    page = client.get(movie.get_absolute_url()).content.decode()
    assert "dual identity" in page
    assert "test-token" not in page


# --- Admin and command ----------------------------------------------------------


def test_admin_action_syncs_selected_films_and_shows_progress(
    staff_client, standin, django_capture_on_commit_callbacks
):
    movies = [make_movie(tmdb_id=i) for i in (AVATAR, PIRATES)]
    make_movie(tmdb_id=SPECTRE)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            reverse("admin:catalog_movie_changelist"),
            {"action": "sync_from_tmdb_now", "_selected_action": [m.pk for m in movies]},
            follow=True,
        )

    assert "Queued 2 films for TMDB" in response.content.decode()
    assert {Movie.objects.get(pk=m.pk).tmdb_status for m in movies} == {OK}
    assert Movie.objects.get(tmdb_id=SPECTRE).tmdb_status == PENDING
    run = SyncRun.objects.get()
    page = staff_client.get(reverse("admin:catalog_syncrun_changelist")).content.decode()
    assert "2 of 2 (100%)" in page
    assert (
        staff_client.get(reverse("admin:catalog_syncrun_change", args=[run.pk])).status_code == 200
    )


def test_admin_shows_a_refused_credential_and_filters_failed_films(staff_client):
    runs.record_auth_problem("TMDB refused the credential: Invalid API key.")
    make_movie("Broken", tmdb_status=FAILED, tmdb_last_error="TMDBServerError: 500")
    make_movie("Fine", tmdb_status=OK)

    for url in ["admin:catalog_syncrun_changelist", "admin:catalog_movie_changelist"]:
        assert "Invalid API key" in staff_client.get(reverse(url)).content.decode()
    failed = staff_client.get(reverse("admin:catalog_movie_changelist"), {"tmdb_error": "staff"})
    assert [m.title for m in failed.context["cl"].result_list] == ["Broken"]


def test_correcting_a_films_ids_in_the_admin_asks_for_a_fresh_fetch(rf):
    movie = make_movie(tmdb_id=1, tmdb_status=NOT_FOUND, tmdb_last_error="404", tmdb_attempts=3)
    movie.tmdb_id = AVATAR
    form = SimpleNamespace(changed_data=["tmdb_id"])

    admin_site._registry[Movie].save_model(rf.post("/"), movie, form, change=True)

    movie.refresh_from_db()
    assert (movie.tmdb_id, movie.tmdb_status, movie.tmdb_attempts, movie.tmdb_last_error) == (
        AVATAR,
        PENDING,
        0,
        "",
    )


def test_keyword_admin_lists_keywords_with_film_counts(staff_client, client_tmdb):
    sync.sync_movie(make_movie(tmdb_id=550).pk, client=client_tmdb)
    response = staff_client.get(reverse("admin:catalog_keyword_changelist"), {"q": "nihilism"})
    assert [k.name for k in response.context["cl"].result_list] == ["nihilism"]


def test_company_admin_lists_companies_with_film_counts(staff_client, client_tmdb):
    sync.sync_movie(make_movie(tmdb_id=550).pk, client=client_tmdb)
    response = staff_client.get(reverse("admin:catalog_company_changelist"), {"q": "regency"})
    [company] = response.context["cl"].result_list
    assert (company.name, company.film_count) == ("Regency Enterprises", 1)


def test_command_backfills_in_process(standin, capsys):
    make_movie(tmdb_id=AVATAR)
    make_movie(imdb_id="tt0000001")
    call_command("sync_tmdb", "--backfill")
    output = capsys.readouterr().out
    assert "2 of 2 — 1 synced, 1 not found, 0 failed (Finished)" in output


def test_command_syncs_one_film(standin, capsys):
    movie = make_movie("Avatar", tmdb_id=AVATAR)
    call_command("sync_tmdb", "--movie", str(movie.pk))
    assert "Avatar (2000): Synced." in capsys.readouterr().out
