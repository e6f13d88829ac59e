"""Visitors' catalog pages come from the cache; members' never do; changes show at once."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import constants
from django.contrib.messages.storage.cookie import CookieStorage
from django.test import Client, RequestFactory
from django.urls import reverse

from catalog.models import Genre
from catalog.tests.factories import make_movie
from catalog.views import home
from ratings.models import Rating

pytestmark = pytest.mark.django_db

PAGES = [
    reverse("catalog:home"),
    reverse("catalog:browse") + "?genre=drama&sort=rating",
    reverse("catalog:search") + "?q=heat",
    reverse("catalog:suggest") + "?q=heat",
]


@pytest.fixture
def heat():
    return make_movie("Heat", genres=["Drama"], year=1995, rating_count=90, rating_mean=4.1)


@pytest.mark.parametrize("path", PAGES)
def test_a_visitor_second_request_is_served_without_the_database(
    client, heat, django_assert_num_queries, path
):
    first = client.get(path)
    assert first["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        second = client.get(path)
    assert second["X-Page-Cache"] == "hit"
    assert second.content == first.content
    assert second["Content-Type"] == first["Content-Type"]
    assert "Heat" in second.content.decode()


def test_film_pages_are_cached_per_film(client, heat):
    casino = make_movie("Casino", year=1995)
    assert client.get(heat.get_absolute_url())["X-Page-Cache"] == "miss"
    assert client.get(casino.get_absolute_url())["X-Page-Cache"] == "miss"
    page = client.get(casino.get_absolute_url())
    assert page["X-Page-Cache"] == "hit"
    assert "Casino" in page.content.decode() and "Heat" not in page.content.decode()


def test_visitor_pages_carry_no_csrf_token_and_their_actions_lead_to_log_in(client, heat):
    page = client.get(reverse("catalog:home")).content.decode()
    assert "csrfmiddlewaretoken" not in page
    assert 'method="get" action="/accounts/login/"' in page
    assert not client.cookies.get("csrftoken")


def test_members_always_get_their_own_page(alice_client, alice, heat):
    visitor = Client()
    visitor.get(reverse("catalog:home"))
    assert visitor.get(reverse("catalog:home"))["X-Page-Cache"] == "hit"
    Rating.objects.create(user=alice, movie=heat, value=4.5)

    response = alice_client.get(reverse("catalog:home"))

    assert "X-Page-Cache" not in response
    page = response.content.decode()
    assert f'data-movie="{heat.pk}" data-rating="4.5"' in page
    assert "csrfmiddlewaretoken" in page


def test_a_staff_edit_reaches_visitors_at_once(client, django_user_model, heat):
    client.get(reverse("catalog:home"))
    client.get(heat.get_absolute_url())
    staff = django_user_model.objects.create_superuser("curator", "curator@example.com", "pw")
    staff_client = Client()
    staff_client.force_login(staff)
    staff_client.post(
        reverse("admin:catalog_movie_changelist"),
        {
            "form-TOTAL_FORMS": "1",
            "form-INITIAL_FORMS": "1",
            "form-0-id": str(heat.pk),
            "form-0-is_hidden": "on",
            "_save": "Save",
        },
    )

    assert "Heat" not in client.get(reverse("catalog:home")).content.decode()
    assert client.get(heat.get_absolute_url()).status_code == 404


def test_a_genre_change_reaches_visitors_at_once(client, heat):
    make_movie("Casino", genres=["Crime"])
    path = reverse("catalog:browse") + "?genre=crime"
    assert "Heat" not in client.get(path).content.decode()
    heat.genres.add(Genre.objects.get(slug="crime"))
    assert "Heat" in client.get(path).content.decode()


def test_a_page_with_a_pending_message_is_neither_served_from_nor_put_in_the_cache(heat):
    factory = RequestFactory()

    def visit(with_message):
        request = factory.get(reverse("catalog:home"))
        request.user = AnonymousUser()
        request.session = {}
        storage = CookieStorage(request)
        if with_message:
            storage.add(constants.SUCCESS, "Your account and everything in it are deleted.")
        request._messages = storage
        return home(request)

    assert visit(with_message=False)["X-Page-Cache"] == "miss"
    with_message = visit(with_message=True)
    assert "X-Page-Cache" not in with_message
    assert "everything in it are deleted" in with_message.content.decode()
    assert "everything in it are deleted" not in visit(with_message=False).content.decode()


def test_zero_seconds_turns_the_cache_off(client, settings, heat):
    settings.ANONYMOUS_PAGE_CACHE_SECONDS = 0
    client.get(reverse("catalog:home"))
    assert "X-Page-Cache" not in client.get(reverse("catalog:home"))
