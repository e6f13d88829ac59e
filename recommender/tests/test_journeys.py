"""The journeys people take through the site, end to end in Chromium on PostgreSQL.

Each runs on the real ml-latest-small catalog with a model trained on it, and
saves screenshots of its steps at phone, tablet and desktop widths under
``test-artifacts/journeys/<journey>/`` (see the ``snap`` fixture).
"""

import csv
import io
import re
import zipfile

import pytest
from playwright.sync_api import expect

from catalog.models import Movie
from catalog.tests.axe import axe_violations
from catalog.tmdb import api, sync
from catalog.tmdb.limits import local_gate
from conftest import log_in
from devtools.tmdb_standin import TMDBStandin
from ratings.models import ListEntry, Rating
from recommender.tests.factories import trained_model

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a long passphrase 7"


@pytest.fixture
def site(movielens_small_zip):
    """ml-latest-small imported, and a model trained on it and serving."""
    from ratings.movielens import import_movielens

    import_movielens(str(movielens_small_zip), progress=False)
    trained_model()


@pytest.fixture
def tmdb_details(settings):
    """``fetch(movie)`` stores the film's TMDB details, served by the local stand-in."""
    server = TMDBStandin(seed=3).start()
    settings.TMDB_API_URL = server.url
    client = api.TMDBClient("test-token", server.url, gate=local_gate(1000))

    def fetch(movie):
        assert sync.sync_movie(movie.pk, client=client) == "ok"

    yield fetch
    server.stop()


@pytest.fixture
def new_tab(browser, live_server):
    """``new_tab()`` opens a tab for another person (its own cookies), closed afterwards."""
    contexts = []

    def open_tab():
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_tab
    for context in contexts:
        context.close()


def median_ratings(films):
    counts = sorted(movie.rating_count for movie in films)
    return counts[len(counts) // 2]


def shown_films(page):
    """The films of the recommendation cards, in order."""
    ids = page.locator("[data-recommendations] .card").evaluate_all(
        "cards => cards.map(card => Number(card.dataset.movie))"
    )
    films = Movie.objects.prefetch_related("genres").in_bulk(ids)
    return [films[pk] for pk in ids]


def all_in_genre(films, slug):
    return all(slug in {genre.slug for genre in movie.genres.all()} for movie in films)


def film(movielens_id):
    return Movie.objects.get(movielens_id=movielens_id)


def sign_up(page, username):
    page.get_by_role("link", name="Sign up").click()
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(f"{username}@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    page.get_by_role("button", name="Sign up").click()


def open_account_menu(page, item):
    page.locator(".menu summary").click()
    page.locator(".menu__panel").get_by_role("link", name=item).click()


def card_titles(page):
    return page.locator("[data-recommendations] .card .card__title").all_inner_texts()


def star(scope, value):
    """The label of the ``value``-star radio (ten half-star labels, 0.5 first)."""
    return scope.locator(".stars__label").nth(int(value * 2) - 1)


def test_newcomer_signs_up_onboards_tunes_for_you_and_exports(page, site, snap, tmp_path):
    page.goto("/")
    expect(page.get_by_role("heading", name="Popular on NextFilms")).to_be_visible()
    snap("discover")

    sign_up(page, "newcomer")
    expect(page.get_by_role("heading", name="Rate films you have seen")).to_be_visible()
    expect(page.get_by_text("Welcome to NextFilms, newcomer!")).to_be_visible()
    snap("onboarding")
    cards = page.locator("[data-onboarding] .card")
    counter = page.locator("[data-rated-count]")
    for index in range(10):
        star(cards.nth(index), 5 if index % 3 else 2.5).click()
        expect(counter).to_have_text(str(index + 1))
    expect(page.get_by_role("link", name="Done")).to_be_visible()
    snap("onboarding-done", at=cards.nth(9))
    assert Rating.objects.filter(user__username="newcomer").count() == 10

    page.get_by_role("link", name="Done").click()
    page.get_by_role("link", name="For you").first.click()
    expect(page.get_by_role("heading", name="For you", level=1)).to_be_visible()
    recommendations = page.locator("[data-recommendations] .card")
    expect(recommendations.first).to_contain_text("We think you'd give it")
    expect(recommendations.first).to_contain_text("Because you rated")
    snap("for-you")

    filters = page.get_by_role("form", name="Filter recommendations")
    only = filters.get_by_role("group", name="Genres")
    only.get_by_label("Comedy", exact=True).check()
    filters.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"genre=comedy"))
    comedies = shown_films(page)
    assert all_in_genre(comedies, "comedy")
    filters.get_by_label("Hidden gems").check()
    filters.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"popularity=-2"))
    expect(only.get_by_label("Comedy", exact=True)).to_be_checked()
    gems = shown_films(page)
    assert len(gems) >= 10 and all_in_genre(gems, "comedy")
    # Hidden gems are less known than the balanced list of comedies.
    assert median_ratings(gems) < median_ratings(comedies) / 2
    snap("for-you-comedy-hidden-gems")

    hidden_title = gems[0].title
    recommendations.first.get_by_role("button", name=re.compile("^Not interested")).click()
    expect(
        page.locator(".card__title", has_text=re.compile(f"^{re.escape(hidden_title)}$"))
    ).to_have_count(0)
    expect(recommendations).to_have_count(len(gems))
    replacement = page.evaluate("Number(document.activeElement.closest('.card').dataset.movie)")
    assert replacement not in {movie.pk for movie in gems}
    assert ListEntry.objects.filter(
        user__username="newcomer", kind="hidden", movie__title=hidden_title
    ).exists()
    toast = page.locator("[data-toast]")
    expect(toast).to_contain_text(f"“{hidden_title}” is hidden")
    assert axe_violations(page) == []
    snap("not-interested-replaced")

    # Changed their mind: Undo puts the film back where it was.
    toast.get_by_role("button", name="Undo").click()
    expect(toast).to_contain_text(f"“{hidden_title}” is back in your suggestions.")
    expect(recommendations.first.locator(".card__title")).to_have_text(hidden_title)
    expect(recommendations).to_have_count(len(gems))
    assert not ListEntry.objects.filter(user__username="newcomer", kind="hidden").exists()
    toast.get_by_role("button", name="Dismiss").click()
    expect(toast).to_be_hidden()

    wanted = recommendations.nth(1)
    wanted_title = wanted.locator(".card__title").inner_text()
    wanted_imdb_id = Movie.objects.get(pk=wanted.get_attribute("data-movie")).imdb_id
    watchlist = wanted.get_by_role("button", name=re.compile("^Watchlist"))
    watchlist.click()
    expect(watchlist).to_have_attribute("aria-pressed", "true")
    expect(wanted.get_by_role("status")).to_contain_text("watchlist")
    snap("added-to-watchlist", at=wanted)
    page.get_by_role("link", name="Watchlist", exact=True).click()
    expect(page.locator(".card__title")).to_have_text([wanted_title])
    snap("watchlist")

    open_account_menu(page, "Settings")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export my data (zip)").click()
    exported = tmp_path / "export.zip"
    download_info.value.save_as(exported)
    with zipfile.ZipFile(exported) as archive:
        rows, listed = (
            list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))
            for name in ("ratings.csv", "watchlist.csv")
        )
    rated = Rating.objects.filter(user__username="newcomer").select_related("movie")
    assert {row["imdbID"] for row in rows} == {r.movie.imdb_id for r in rated}
    assert [row["imdbID"] for row in listed] == [wanted_imdb_id]
    snap("settings-export")


def test_search_suggestion_film_page_rate_and_more_like_this(
    page, site, snap, tmdb_details, django_user_model
):
    matrix = film(2571)
    tmdb_details(matrix)
    matrix.refresh_from_db()
    django_user_model.objects.create_user("cinephile", "cinephile@example.com", PASSWORD)
    log_in(page, "cinephile", PASSWORD)

    search = page.get_by_role("combobox", name="Search films")
    search.press_sequentially("matrix", delay=30)
    options = page.get_by_role("option")
    expect(options.first).to_have_accessible_name("The Matrix 1999")
    snap("suggestions")
    search.press("ArrowDown")
    search.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("The Matrix (1999)")
    expect(page.locator(".film__credits").first).to_contain_text(re.compile(r"Directed by \w+"))
    expect(page.locator(".film__overview")).to_contain_text(matrix.overview[:40])
    expect(page.get_by_role("heading", name="Cast")).to_be_visible()
    # No poster reaches this machine: the placeholder stands in, with no broken image.
    expect(page.locator(".film .poster__image")).to_have_count(0)
    expect(page.locator(".film .poster__title")).to_have_text("The Matrix")
    snap("film-page")

    star(page.locator(".film"), 4.5).click()
    expect(page.locator(".film [role=status]")).to_have_text("You rated The Matrix ★4.5.")
    assert Rating.objects.get(user__username="cinephile", movie=matrix).value == 4.5
    snap("rated")

    more = page.get_by_role("region", name="More like The Matrix")
    expect(more.locator(".card")).to_have_count(12)
    similar = more.locator(".card__title").all_inner_texts()
    model_order = similar_ids(matrix)
    liked_together = Movie.objects.in_bulk(model_order)
    assert similar == [liked_together[pk].title for pk in model_order][:12]
    assert "The Matrix" not in similar
    snap("more-like-this", at=more)
    more.locator(".card__link").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(similar[0])
    expect(page.locator(".film__prediction")).to_contain_text("We think you'd give it")
    snap("next-film")


def test_staff_hides_a_film_and_it_leaves_every_page(page, new_tab, site, snap):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    users.create_superuser("curator", "curator@example.com", PASSWORD)
    users.create_user("member", "member@example.com", PASSWORD)
    gump = film(356)
    neighbour = next(
        movie
        for movie in Movie.objects.filter(rating_count__gte=100).order_by("-rating_count")
        if movie != gump and gump.pk in similar_ids(movie)
    )
    visitor, member = new_tab(), new_tab()
    log_in(member, "member", PASSWORD)
    pages = {
        "Discover": "/",
        "Browse": "/browse/?genre=drama",
        "Search": "/search/?q=forrest+gump",
        "Suggestions": "/search/suggest/?q=forrest",
        f"More like {neighbour.title}": neighbour.get_absolute_url(),
    }
    for viewer in (visitor, member):
        for name, path in pages.items():
            viewer.goto(path)
            expect(viewer.get_by_text("Forrest Gump").first, name).to_be_visible()
    member.goto("/for-you/")
    expect(member.locator("[data-recommendations]")).to_contain_text("Forrest Gump")

    log_in(page, "curator", PASSWORD)
    open_account_menu(page, "Admin")
    page.get_by_role("link", name="Movies").click()
    search = page.locator("#searchbar")  # the changelist search, not the sidebar filter
    search.fill("forrest gump")
    search.press("Enter")
    expect(page.locator("#result_list tbody tr")).to_have_count(1)
    page.locator("#result_list").get_by_role("link", name="Forrest Gump").click()
    snap("admin-film")
    page.get_by_label("Hidden").check()
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    snap("admin-saved")
    gump.refresh_from_db()
    assert gump.is_hidden

    for viewer in (visitor, member):
        for name, path in pages.items():
            viewer.goto(path)
            expect(viewer.locator("main, body").first, name).not_to_contain_text("Forrest Gump")
        assert viewer.goto(gump.get_absolute_url()).status == 404
    member.goto("/for-you/")
    expect(member.locator("[data-recommendations] .card").first).to_be_visible()
    expect(member.locator("main")).not_to_contain_text("Forrest Gump")
    page.goto("/")
    snap("discover-without-it")


def similar_ids(movie):
    from recommender.serving import movie_ids_similar_to

    return movie_ids_similar_to(movie, n=12)


LETTERBOXD_HEADER = ["Date", "Name", "Year", "Letterboxd URI", "Rating"]
HORROR_FAVOURITES = [
    ("Alien", 1979, 5),
    ("Aliens", 1986, 4.5),
    ("The Shining", 1980, 5),
    ("The Exorcist", 1973, 4.5),
    ("Halloween", 1978, 4),
    ("Scream", 1996, 4),
    ("The Thing", 1982, 5),
    ("Psycho", 1960, 4.5),
    ("A Nightmare on Elm Street", 1984, 4),
    ("Poltergeist", 1982, 3.5),
    ("Night of the Living Dead", 1968, 4),
    ("Jaws", 1975, 4.5),
]


def test_letterboxd_import_reports_and_changes_recommendations(page, site, snap, tmp_path):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("boxd", "boxd@example.com", PASSWORD)
    export = tmp_path / "ratings.csv"
    with export.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(LETTERBOXD_HEADER)
        for index, (name, year, rating) in enumerate(HORROR_FAVOURITES):
            writer.writerow([f"2024-01-{index + 1:02d}", name, year, "https://boxd.it/x", rating])
        writer.writerow(["2024-02-01", "A Film That Does Not Exist", 2031, "https://boxd.it/y", 4])
        writer.writerow(["2024-02-02", "Heat", 1995, "https://boxd.it/z", "eleven"])

    log_in(page, "boxd", PASSWORD)
    page.goto("/for-you/")
    before = card_titles(page)
    expect(page.locator(".notice")).to_contain_text("Rate a few films")
    snap("for-you-before")

    open_account_menu(page, "Settings")
    page.get_by_role("link", name="Import ratings").click()
    page.get_by_label("Your export file").set_input_files(export)
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_role("heading", name="Check your import")).to_be_visible()
    summary = page.locator(".transfer__summary")
    expect(summary).to_contain_text(f"{len(HORROR_FAVOURITES)} new ratings")
    expect(summary).to_contain_text("1 not found in our catalog")
    expect(summary).to_contain_text("1 unreadable row")
    expect(page.get_by_role("region", name="Not found in our catalog")).to_contain_text(
        "A Film That Does Not Exist"
    )
    expect(page.get_by_role("region", name="Rows we could not read")).to_contain_text("eleven")
    snap("import-report")
    assert not Rating.objects.filter(user__username="boxd").exists()

    page.get_by_role("button", name="Confirm import").click()
    expect(page.locator(".messages")).to_contain_text(f"{len(HORROR_FAVOURITES)}")
    assert Rating.objects.filter(user__username="boxd").count() == len(HORROR_FAVOURITES)
    snap("imported")

    page.get_by_role("link", name="For you").first.click()
    after = card_titles(page)
    assert after[:10] != before[:10]
    expect(page.locator("[data-recommendations] .card").first).to_contain_text("Because you rated")
    horror_share = Movie.objects.filter(title__in=after[:20], genres__slug="horror").count()
    assert horror_share >= 8, after[:20]
    snap("for-you-after")
