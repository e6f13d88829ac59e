"""Watch together: starting and joining a group, its list, a guest, strategies and privacy."""

import pytest
from django.urls import reverse

from ratings.models import DiaryEntry, ListEntry, Rating
from recommender.tests.factories import planted_catalog, trained_model
from social.models import Privacy, WatchGroup
from social.tests.factories import make_friends

pytestmark = pytest.mark.django_db


@pytest.fixture
def clusters():
    clusters = planted_catalog()
    trained_model()
    return clusters


@pytest.fixture
def carol(django_user_model):
    return django_user_model.objects.create_user("carol", "carol@example.com", "pw carol 3")


def rate(user, movies, value):
    for movie in movies:
        Rating.objects.create(user=user, movie=movie, value=value)


def group_of(*users):
    group = WatchGroup.objects.create(host=users[0])
    group.members.add(*users)
    return group


def shown_titles(response):
    return [pick.movie.title for pick in response.context["picks"]]


def test_a_member_starts_a_group_with_friends_only(alice_client, alice, bob, carol):
    make_friends(alice, bob)
    start = reverse("social:start")

    refused = alice_client.post(start, {"friends": [carol.pk]})
    assert refused.status_code == 200 and not WatchGroup.objects.exists()

    response = alice_client.post(start, {"friends": [bob.pk]})
    group = WatchGroup.objects.get()
    assert response.url == group.get_absolute_url()
    assert set(group.members.all()) == {alice, bob}


def test_the_list_leaves_out_what_anyone_rated_hid_or_logged(alice_client, alice, bob, clusters):
    comedies = clusters["Comedy"]
    make_friends(alice, bob)
    rate(alice, comedies[:4], 5.0)
    rate(bob, comedies[4:7], 5.0)
    ListEntry.objects.create(user=bob, movie=comedies[7], kind="hidden")
    DiaryEntry.objects.create(user=bob, movie=comedies[8])  # watched, not rated
    group = group_of(alice, bob)

    titles = shown_titles(alice_client.get(group.get_absolute_url()))

    assert titles and not set(titles) & {movie.title for movie in comedies[:9]}
    assert titles[0].startswith("Comedy")


def test_each_film_shows_everyones_prediction_and_the_groups_reason(
    alice_client, alice, bob, clusters
):
    comedies = clusters["Comedy"]
    make_friends(alice, bob)
    Privacy.objects.create(user=bob, ratings_audience="friends")
    rate(alice, comedies[:5], 5.0)
    rate(bob, comedies[:5], 4.5)
    group = group_of(alice, bob)

    response = alice_client.get(group.get_absolute_url())
    first = response.context["picks"][0]

    assert [name for name, _ in first.predictions] == ["You", "bob"]
    assert all(0.5 <= rating <= 5 for _, rating in first.predictions)
    assert first.loved_by == ["You", "bob"]
    assert first.loved in comedies[:5]
    page = response.content.decode()
    assert f'You and bob loved <a href="{first.loved.get_absolute_url()}">' in page
    assert "bob <strong>★" in page


def test_a_reason_never_names_a_film_from_private_ratings(alice_client, alice, bob, clusters):
    comedies = clusters["Comedy"]
    make_friends(alice, bob)
    rate(bob, comedies[:5], 5.0)
    rate(alice, clusters["Horror"][:1], 1.0)
    group = group_of(alice, bob)

    picks = alice_client.get(group.get_absolute_url()).context["picks"]

    assert picks and all("bob" not in pick.loved_by for pick in picks)


def test_a_friend_joins_through_the_link_and_a_stranger_cannot(client, alice, bob, carol, clusters):
    make_friends(alice, bob)
    group = group_of(alice)
    url = group.get_absolute_url()

    client.force_login(carol)
    assert client.get(url).status_code == 404
    assert client.post(reverse("social:join", args=[group.token])).status_code == 404

    client.force_login(bob)
    assert "Join the group" in client.get(url).content.decode()
    client.post(reverse("social:join", args=[group.token]))
    assert client.get(url).context["picks"] is not None
    assert set(group.members.all()) == {alice, bob}


def test_a_visitor_opening_the_link_signs_in_first(client, alice):
    group = group_of(alice)
    response = client.get(group.get_absolute_url())
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_a_guest_rates_films_on_the_spot_and_is_folded_in(alice_client, alice, bob, clusters):
    make_friends(alice, bob)
    rate(alice, clusters["Comedy"][:3], 5.0)
    group = group_of(alice, bob)
    form = alice_client.get(reverse("social:guest", args=[group.token])).context["form"]
    assert len(form.movies) == 10
    rated = [movie for movie in form.movies if movie.title.startswith("Horror")][:3]
    data = {"name": "Dana", **{f"film_{movie.pk}": "5" for movie in rated}}

    alice_client.post(reverse("social:guest", args=[group.token]), data)

    group.refresh_from_db()
    assert group.guest_name == "Dana" and len(group.guest_ratings) == 3
    picks = alice_client.get(group.get_absolute_url()).context["picks"]
    assert [name for name, _ in picks[0].predictions] == ["You", "bob", "Dana"]
    assert not {pick.movie.pk for pick in picks} & {movie.pk for movie in rated}
    assert any(pick.movie.title.startswith("Horror") for pick in picks[:6])


def test_a_guest_must_rate_something(alice_client, alice, clusters):
    group = group_of(alice)
    response = alice_client.post(reverse("social:guest", args=[group.token]), {"name": "Dana"})
    assert "Rate at least one film" in response.content.decode()
    group.refresh_from_db()
    assert not group.has_guest


def test_the_filters_of_for_you_apply(alice_client, alice, bob, clusters):
    make_friends(alice, bob)
    rate(alice, clusters["Comedy"][:4], 5.0)
    group = group_of(alice, bob)

    query = {"genre": "horror", "strategy": "fairest"}
    response = alice_client.get(group.get_absolute_url(), query)

    titles = shown_titles(response)
    assert titles and all(title.startswith("Horror") for title in titles)


def test_fairest_puts_first_the_film_whose_lowest_prediction_is_highest(
    alice_client, alice, bob, clusters
):
    make_friends(alice, bob)
    rate(alice, clusters["Comedy"][:4], 5.0)
    rate(bob, clusters["Horror"][:4], 5.0)
    group = group_of(alice, bob)

    picks = alice_client.get(group.get_absolute_url(), {"strategy": "fairest"}).context["picks"]

    lowest = [min(rating for _, rating in pick.predictions) for pick in picks]
    assert lowest[0] == max(lowest)


def test_the_next_card_skips_the_films_already_shown(alice_client, alice, clusters):
    rate(alice, clusters["Comedy"][:4], 5.0)
    group = group_of(alice)
    picks = alice_client.get(group.get_absolute_url()).context["picks"]
    shown = [pick.movie.pk for pick in picks[:3]]

    response = alice_client.get(reverse("social:next", args=[group.token]), {"shown": shown})

    assert response.context["pick"].movie.pk == picks[3].movie.pk


def test_only_members_see_a_groups_list(client, alice, bob, clusters):
    group = group_of(alice)
    client.force_login(bob)
    assert client.get(reverse("social:next", args=[group.token])).status_code == 404
    assert client.get(reverse("social:guest", args=[group.token])).status_code == 404


def test_a_members_watchlist_stays_out_unless_the_filter_includes_it(
    alice_client, alice, bob, clusters
):
    comedies = clusters["Comedy"]
    make_friends(alice, bob)
    rate(alice, comedies[:4], 5.0)
    ListEntry.objects.create(user=bob, movie=comedies[4], kind="watchlist")
    group = group_of(alice, bob)
    url = group.get_absolute_url()

    assert comedies[4].title not in shown_titles(alice_client.get(url))
    assert comedies[4].title in shown_titles(alice_client.get(url, {"watchlist": "on"}))
