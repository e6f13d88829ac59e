"""Who sees a member's ratings: private (the default), friends, or everyone."""

import re

import pytest
from django.urls import reverse

from catalog.tests.factories import make_movie
from ratings.models import Rating
from social.friends import follow
from social.models import Privacy
from social.tests.factories import make_friends

pytestmark = pytest.mark.django_db

SECRET = "Secretly Loved Film"


@pytest.fixture
def bobs_rating(bob):
    Rating.objects.create(user=bob, movie=make_movie(SECRET), value=4.5)


@pytest.fixture
def carol(django_user_model):
    return django_user_model.objects.create_user("carol", "carol@example.com", "pw carol 3")


def set_audience(user, audience):
    Privacy.objects.update_or_create(user=user, defaults={"ratings_audience": audience})


def bobs_page(client, viewer=None):
    if viewer:
        client.force_login(viewer)
    return client.get(reverse("social:profile", args=["bob"]))


@pytest.mark.usefixtures("bobs_rating")
class TestPrivateByDefault:
    def test_the_member_sees_their_own_ratings(self, client, bob):
        assert SECRET in bobs_page(client, bob).content.decode()

    def test_a_friend_does_not(self, client, alice, bob):
        make_friends(alice, bob)
        response = bobs_page(client, alice)
        assert response.status_code == 200
        assert SECRET not in response.content.decode()

    def test_a_visitor_finds_no_page(self, client):
        assert bobs_page(client).status_code == 404


@pytest.mark.usefixtures("bobs_rating")
class TestFriendsOnly:
    def test_a_friend_sees_the_ratings(self, client, alice, bob):
        set_audience(bob, "friends")
        make_friends(alice, bob)
        assert SECRET in bobs_page(client, alice).content.decode()

    def test_someone_bob_only_follows_does_not(self, client, bob, carol):
        set_audience(bob, "friends")
        follow(bob, carol)
        assert SECRET not in bobs_page(client, carol).content.decode()

    def test_a_visitor_finds_no_page(self, client, bob):
        set_audience(bob, "friends")
        assert bobs_page(client).status_code == 404


@pytest.mark.usefixtures("bobs_rating")
class TestPublic:
    def test_a_visitor_sees_the_ratings(self, client, bob):
        set_audience(bob, "public")
        assert SECRET in bobs_page(client).content.decode()

    def test_any_member_sees_the_ratings(self, client, bob, carol):
        set_audience(bob, "public")
        assert SECRET in bobs_page(client, carol).content.decode()


def test_a_member_chooses_their_audience_on_the_friends_page(alice_client, alice):
    page = alice_client.get(reverse("social:friends")).content.decode()
    assert re.search(r'value="private"[^>]* checked', page)
    alice_client.post(reverse("social:privacy"), {"ratings_audience": "public"})
    assert Privacy.objects.get(user=alice).ratings_audience == "public"


def test_a_hidden_film_leaves_a_public_profile(client, bob):
    set_audience(bob, "public")
    Rating.objects.create(user=bob, movie=make_movie("Staff Hid This", is_hidden=True), value=3)
    assert "Staff Hid This" not in bobs_page(client).content.decode()
