"""The taste page: a member's own figures, drawn as SVG with tables beside."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from catalog.tests.factories import credit, make_movie, make_person
from ratings.models import Rating
from taste import charts
from taste.stats import taste_of

pytestmark = pytest.mark.django_db

URL = "/me/taste/"


def rate(user, movie, value, when=None):
    rating = Rating.objects.create(user=user, movie=movie, value=value)
    if when:
        Rating.objects.filter(pk=rating.pk).update(rated_at=when)
    return rating


def histogram(**counts):
    """``histogram(h4=3)``: a film's ratings per half star, by name h0_5 … h5."""
    keys = ["h0_5", "h1", "h1_5", "h2", "h2_5", "h3", "h3_5", "h4", "h4_5", "h5"]
    return [counts.get(key, 0) for key in keys]


@pytest.fixture
def rated(alice):
    """Alice's ratings of four films with known directors, cast, decades and crowds."""
    mann, pacino, de_niro = (
        make_person("Michael Mann"),
        make_person("Al Pacino"),
        make_person("Robert De Niro"),
    )
    heat = make_movie(
        "Heat", year=1995, genres=["Crime", "Drama"], movielens_histogram=histogram(h4=30, h5=1)
    )
    thief = make_movie(
        "Thief", year=1981, genres=["Crime"], movielens_histogram=histogram(h3=10, h1=1)
    )
    collateral = make_movie(
        "Collateral", year=2004, genres=["Crime", "Thriller"], movielens_histogram=histogram(h4=3)
    )
    cats = make_movie(
        "Cats", year=2019, genres=["Musical"], movielens_histogram=histogram(h1=20, h5=1)
    )
    for movie in (heat, thief, collateral):
        credit(mann, movie, job="Director")
    credit(pacino, heat, character="Vincent Hanna")
    credit(de_niro, heat, character="Neil McCauley", order=1)
    credit(de_niro, cats, character="Extra", order=12)  # a walk-on does not count
    rate(alice, heat, 5, datetime(2025, 1, 10, tzinfo=UTC))
    rate(alice, thief, 1, datetime(2025, 3, 2, tzinfo=UTC))
    rate(alice, collateral, 4, datetime(2025, 3, 20, tzinfo=UTC))
    rate(alice, cats, 5, datetime(2025, 3, 21, tzinfo=UTC))
    return {"heat": heat, "thief": thief, "collateral": collateral, "cats": cats}


def test_visitors_are_sent_to_log_in(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_member_without_ratings_is_told_how_to_start(alice_client):
    html = alice_client.get(URL).content.decode()
    assert "Nothing to show yet" in html
    assert "chart__bar" not in html


def test_histogram_sets_the_member_beside_everyone_else_on_the_same_films(alice, rated):
    taste = taste_of(alice)
    assert taste.histogram == histogram(h1=1, h4=1, h5=2)
    # Each film's figures count MovieLens's ratings and alice's: hers are taken out.
    assert taste.community_histogram == histogram(h1=21, h3=10, h4=33, h5=2)
    assert taste.mean == pytest.approx(3.75)


def test_directors_and_billed_actors_by_count_and_by_average(alice, rated):
    taste = taste_of(alice)
    assert [(g.name, g.count) for g in taste.directors_by_count] == [("Michael Mann", 3)]
    assert taste.directors_by_average[0].average == pytest.approx(10 / 3)
    assert [(g.name, g.count) for g in taste.actors_by_count] == [
        ("Al Pacino", 1),
        ("Robert De Niro", 1),
    ]
    assert taste.actors_by_average == []  # one film each is too few for an average
    assert taste.directors_by_count[0].url.startswith("/people/")


def test_genres_by_count_and_by_average(alice, rated):
    taste = taste_of(alice)
    assert [(g.name, g.count) for g in taste.genres_by_count][:2] == [("Crime", 3), ("Drama", 1)]
    assert [(g.name, round(g.average, 2)) for g in taste.genres_by_average] == [("Crime", 3.33)]


def test_decades_and_months(alice, rated):
    taste = taste_of(alice)
    assert taste.decades == [(1980, 1, 1.0), (1990, 1, 5.0), (2000, 1, 4.0), (2010, 1, 5.0)]
    assert taste.over_time == [("Jan 2025", 1), ("Feb 2025", 0), ("Mar 2025", 3)]
    assert taste.over_time_unit == "month"


def test_films_rated_furthest_from_everyone_else_need_a_crowd(alice, rated):
    furthest = taste_of(alice).furthest
    # Cats: 5 against a mean near 1.2; Thief: 1 against 3; Heat is close; Collateral
    # has too few other ratings to disagree with.
    assert [d.title for d in furthest] == ["Cats", "Thief", "Heat"]
    assert furthest[0].difference == pytest.approx(5 - 25 / 21)


def test_page_draws_accessible_svg_charts_with_tables(alice_client, rated):
    html = alice_client.get(URL).content.decode()
    assert html.count('role="img"') == 3
    assert '<title id="histogram-title">' in html
    assert 'aria-labelledby="histogram-title histogram-desc"' in html
    assert "<td>★5</td><td>2</td><td>50.0%</td>" in html
    assert '<a href="/films/' in html and "Cats</a> (2019)" in html
    assert "Only you see this page." in html


def test_the_page_shows_only_the_members_own_ratings(alice_client, bob, rated):
    rate(bob, make_movie("Bob's Film", year=1960), 2)
    html = alice_client.get(URL).content.decode()
    assert "1960s" not in html
    assert "From your 4 ratings" in html


def test_hidden_films_do_not_count(alice, rated):
    rated["cats"].is_hidden = True
    rated["cats"].save()
    assert taste_of(alice).rating_count == 3


@pytest.mark.parametrize("count", [3, 30])
def test_a_bounded_number_of_queries(alice, alice_client, count, django_assert_max_num_queries):
    director = make_person("Prolific")
    for i in range(count):
        movie = make_movie(f"Film {i}", year=1950 + i, genres=["Drama", "Comedy"])
        credit(director, movie, job="Director")
        credit(make_person(f"Actor {i}"), movie, character="Lead")
        rate(alice, movie, 0.5 + (i % 10) / 2)
    # Session and member, ratings, genres, directors, actors.
    with django_assert_max_num_queries(6):
        assert alice_client.get(URL).status_code == 200


def test_chart_bars_scale_to_an_axis_of_whole_steps():
    chart = charts.bar_chart(["a", "b"], [3, 7])
    assert [line.label for line in chart.grid] == ["0", "2", "4", "6", "8"]
    short, tall = (slot.bars[0] for slot in chart.slots)
    assert tall.height == pytest.approx(7 / 8 * (charts.HEIGHT - charts.BOTTOM - charts.TOP))
    assert short.y + short.height == tall.y + tall.height == chart.baseline


def test_a_share_of_everything_tops_the_axis_at_one_hundred_per_cent():
    chart = charts.bar_chart(["4.5", "5"], [100, 0], [12.5, 37.5], percent=True)
    assert [line.label for line in chart.grid] == ["0%", "25%", "50%", "75%", "100%"]


def test_long_time_lines_label_every_few_bars():
    chart = charts.bar_chart([str(year) for year in range(2000, 2024)], [1] * 24, max_labels=6)
    assert sum(slot.show_label for slot in chart.slots) == 6
