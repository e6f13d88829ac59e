"""Films' community figures count the site's members as they rate, change and unrate."""

import pytest
from django.urls import reverse

from catalog.models import Movie
from catalog.tests.factories import make_movie
from ratings import aggregates
from ratings.models import Rating
from ratings.movielens import import_movielens
from ratings.tests.test_import_movielens import write_dataset
from ratings.transfer.apply import apply
from ratings.transfer.formats import read_ratings_file
from ratings.transfer.matching import build_report

pytestmark = pytest.mark.django_db

MOVIELENS_FIGURES = ("rating_count", "rating_mean", "rating_histogram", "score")


def report_for(data, user):
    """Read and match an upload, as the import page does."""
    return build_report(read_ratings_file(data), user)


@pytest.fixture
def imported(tmp_path):
    """The small hand-made MovieLens set: Toy Story has 3.5 and 4.0 from MovieLens users."""
    import_movielens(str(write_dataset(tmp_path / "ml")), progress=False)
    return Movie.objects.get(movielens_id=1)


def figures_of(movie):
    movie.refresh_from_db()
    return tuple(getattr(movie, name) for name in MOVIELENS_FIGURES)


def test_rating_changing_and_removing_update_the_film_at_once(alice_client, imported):
    toy_story = imported
    prior = aggregates.current_prior()
    url = reverse("ratings:rate", args=[toy_story.pk])

    alice_client.post(url, {"value": "5"})
    count, mean, histogram, score = figures_of(toy_story)
    assert (count, mean) == (3, pytest.approx((3.5 + 4.0 + 5.0) / 3))
    assert histogram == [0, 0, 0, 0, 0, 0, 1, 1, 0, 1]
    assert score == pytest.approx((12.5 + prior.weight * prior.mean) / (3 + prior.weight))

    alice_client.post(url, {"value": "1"})
    assert figures_of(toy_story)[:3] == (3, pytest.approx(8.5 / 3), [0, 1, 0, 0, 0, 0, 1, 1, 0, 0])

    alice_client.post(url, {"remove": "1"})
    assert figures_of(toy_story)[:3] == (2, pytest.approx(3.75), [0, 0, 0, 0, 0, 0, 1, 1, 0, 0])


def test_the_members_film_page_shows_the_new_figures(alice_client, imported):
    page = alice_client.get(imported.get_absolute_url())
    assert "from 2 ratings" in page.content.decode()

    alice_client.post(reverse("ratings:rate", args=[imported.pk]), {"value": "4.5"})

    page = alice_client.get(imported.get_absolute_url())
    assert "from 3 ratings" in page.content.decode()


def test_a_film_only_members_rated_gets_figures(alice, bob):
    film = make_movie("New Release")
    Rating.objects.create(user=alice, movie=film, value=4.0)
    Rating.objects.create(user=bob, movie=film, value=3.0)
    assert figures_of(film)[:3] == (2, 3.5, [0, 0, 0, 0, 0, 1, 0, 1, 0, 0])


def test_a_csv_import_counts_in_the_films_figures(alice, imported):
    report = report_for(b"movieId,rating\n1,0.5\n3,5\n", alice)
    apply(report, alice)

    assert figures_of(imported)[0] == 3
    assert figures_of(Movie.objects.get(movielens_id=3))[:2] == (2, pytest.approx(2.75))


def test_deleting_an_account_takes_its_ratings_out_of_the_figures(alice, imported):
    Rating.objects.create(user=alice, movie=imported, value=5.0)
    alice.delete()
    assert figures_of(imported)[0] == 2


def test_a_reimport_keeps_members_ratings_in_the_figures(alice, imported, tmp_path):
    Rating.objects.create(user=alice, movie=imported, value=5.0)

    import_movielens(str(write_dataset(tmp_path / "ml-again")), progress=False)

    assert figures_of(imported)[:2] == (3, pytest.approx(12.5 / 3))


def test_the_import_and_a_single_film_refresh_give_the_same_figures(alice, bob, imported):
    Rating.objects.create(user=alice, movie=imported, value=5.0)
    Rating.objects.create(user=bob, movie=Movie.objects.get(movielens_id=4), value=2.0)
    aggregates.recompute_all()
    after_import = {movie.pk: figures_of(movie) for movie in Movie.objects.all()}

    aggregates.refresh_films(after_import)

    assert {movie.pk: figures_of(movie) for movie in Movie.objects.all()} == after_import
