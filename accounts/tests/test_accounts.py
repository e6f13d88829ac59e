"""Sign-up, log-in (throttled, by username or email), settings and account deletion."""

import re
from importlib import import_module

import pytest
import redis
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.test import Client, override_settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from catalog.tests.factories import make_movie
from conftest import SHARED_CACHE_TEST_URL
from ratings.models import ListEntry, Rating
from ratings.transfer.views import PENDING_IMPORT_KEY

pytestmark = pytest.mark.django_db
User = get_user_model()


@pytest.fixture(autouse=True)
def clear_login_failures():
    cache.clear()


def signup(client, client_address="127.0.0.1", **overrides):
    data = {
        "username": "carol",
        "email": "carol@example.com",
        "password1": "a long passphrase 7",
        "password2": "a long passphrase 7",
        **overrides,
    }
    return client.post(reverse("accounts:signup"), data, REMOTE_ADDR=client_address)


def test_sign_up_logs_in_and_starts_onboarding(client):
    response = signup(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("ratings:onboarding")
    assert client.get(reverse("ratings:my_ratings")).status_code == 200


def test_sign_up_keeps_where_the_visitor_was_going(client):
    response = signup(client, next="/films/1/")
    assert response["Location"] == reverse("ratings:onboarding") + "?next=%2Ffilms%2F1%2F"


def test_sign_up_refuses_a_taken_email_whatever_its_case(client, alice):
    response = signup(client, email="ALICE@example.com")
    assert response.status_code == 200
    assert "An account with this email already exists." in response.content.decode()
    assert not User.objects.filter(username="carol").exists()


def test_sign_up_refuses_an_at_sign_in_the_username(client):
    response = signup(client, username="carol@home")
    assert response.status_code == 200
    assert "A username cannot contain “@”" in response.content.decode()
    assert not User.objects.filter(username="carol@home").exists()


def test_an_older_username_with_an_at_sign_still_logs_in(client):
    User.objects.create_user("dave@home", "dave@example.com", "a long passphrase 7")
    response = client.post(
        reverse("accounts:login"), {"username": "dave@home", "password": "a long passphrase 7"}
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username="dave@home").pk)


def test_an_email_address_wins_over_a_username_that_looks_like_it(client, alice):
    User.objects.create_user("alice@example.com", "other@example.com", "another passphrase 8")
    client.post(
        reverse("accounts:login"), {"username": "alice@example.com", "password": "correct horse 1"}
    )
    assert client.session["_auth_user_id"] == str(alice.pk)


@pytest.mark.parametrize("password", ["short", "password123", "12345678901"])
def test_sign_up_validates_passwords(client, password):
    response = signup(client, password1=password, password2=password)
    assert response.status_code == 200
    assert not User.objects.filter(username="carol").exists()


@pytest.mark.parametrize("login_name", ["alice", "alice@example.com", "ALICE@EXAMPLE.COM"])
def test_log_in_with_username_or_email_and_go_back(client, alice, login_name):
    response = client.post(
        reverse("accounts:login"),
        {"username": login_name, "password": "correct horse 1", "next": "/browse/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/browse/"


def test_log_in_never_redirects_off_site(client, alice):
    response = client.post(
        reverse("accounts:login"),
        {"username": "alice", "password": "correct horse 1", "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("catalog:home")


def test_log_out_needs_post(alice_client):
    assert alice_client.get(reverse("accounts:logout")).status_code == 405
    alice_client.post(reverse("accounts:logout"))
    assert alice_client.get(reverse("ratings:my_ratings")).status_code == 302


def test_password_reset_sends_a_working_link(client, alice, mailoutbox):
    client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
    assert len(mailoutbox) == 1
    link = next(line for line in mailoutbox[0].body.splitlines() if "/reset/" in line)
    path = link.split("testserver", 1)[1]
    form_url = client.get(path)["Location"]
    client.post(
        form_url, {"new_password1": "new passphrase 99", "new_password2": "new passphrase 99"}
    )
    alice.refresh_from_db()
    assert alice.check_password("new passphrase 99")


def change_email(client, email, password="correct horse 1"):
    data = {"email": email}
    if password is not None:
        data["current_password"] = password
    return client.post(reverse("accounts:settings"), data)


def test_settings_change_email(alice_client, alice, bob):
    response = change_email(alice_client, "BOB@example.com")
    assert "already exists" in response.content.decode()
    change_email(alice_client, "alice@new.example")
    alice.refresh_from_db()
    assert alice.email == "alice@new.example"


@pytest.mark.parametrize("password", [None, "", "wrong"])
def test_changing_the_email_needs_the_password(alice_client, alice, mailoutbox, password):
    response = change_email(alice_client, "mallory@example.com", password=password)
    assert response.status_code == 200
    assert 'id="id_current_password_error"' in response.content.decode()
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
    assert mailoutbox == []


def test_changing_the_email_tells_the_old_address(alice_client, alice, mailoutbox):
    change_email(alice_client, "alice@new.example")
    [notice] = mailoutbox
    assert notice.to == ["alice@example.com"]
    assert "alice@new.example" in notice.body
    assert "If you did not" in notice.body


def test_saving_the_same_email_sends_nothing(alice_client, alice, mailoutbox):
    change_email(alice_client, "alice@example.com")
    assert mailoutbox == []


def test_change_password_keeps_the_member_logged_in(alice_client, alice):
    new = {"new_password1": "new passphrase 99", "new_password2": "new passphrase 99"}
    refused = alice_client.post(reverse("accounts:password_change"), {**new, "old_password": "no"})
    assert "Your old password was entered incorrectly" in refused.content.decode()
    response = alice_client.post(
        reverse("accounts:password_change"), {**new, "old_password": "correct horse 1"}
    )
    assert response["Location"] == reverse("accounts:password_change_done")
    alice.refresh_from_db()
    assert alice.check_password("new passphrase 99")
    assert alice_client.get(reverse("ratings:my_ratings")).status_code == 200


def test_delete_account_needs_the_password_and_removes_the_data(alice_client, alice, bob):
    movie = make_movie("Heat")
    Rating.objects.create(user=alice, movie=movie, value=4.0)
    ListEntry.objects.create(user=alice, movie=movie, kind="watchlist")
    Rating.objects.create(user=bob, movie=movie, value=2.0)

    refused = alice_client.post(reverse("accounts:delete_account"), {"password": "nope"})
    assert refused.status_code == 400
    assert User.objects.filter(pk=alice.pk).exists()

    alice_client.post(reverse("accounts:delete_account"), {"password": "correct horse 1"})
    assert not User.objects.filter(pk=alice.pk).exists()
    assert not Rating.objects.filter(user_id=alice.pk).exists()
    assert not ListEntry.objects.filter(user_id=alice.pk).exists()
    assert Rating.objects.filter(user=bob).count() == 1


def test_member_pages_need_an_account(client):
    for url in [
        reverse("ratings:my_ratings"),
        reverse("ratings:movie_list", args=["watchlist"]),
        reverse("ratings:onboarding"),
        reverse("accounts:settings"),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def autocomplete_hints(response):
    """``{field name: autocomplete value}`` of the page's form fields (search box aside)."""
    fields = re.findall(r"<input[^>]*>", response.content.decode())
    hints = {}
    for field in fields:
        name = re.search(r'name="([^"]+)"', field)
        if name and name.group(1) not in {"q", "csrfmiddlewaretoken", "next"}:
            hint = re.search(r'autocomplete="([^"]+)"', field)
            hints[name.group(1)] = hint.group(1) if hint else None
    return hints


def test_log_in_and_sign_up_fields_tell_password_managers_what_they_are(client):
    assert autocomplete_hints(client.get(reverse("accounts:login"))) == {
        "username": "username",
        "password": "current-password",
    }
    assert autocomplete_hints(client.get(reverse("accounts:signup"))) == {
        "username": "username",
        "email": "email",
        "password1": "new-password",
        "password2": "new-password",
    }
    assert autocomplete_hints(client.get(reverse("accounts:password_reset"))) == {"email": "email"}


def test_account_forms_tell_password_managers_what_they_are(alice_client, alice):
    assert autocomplete_hints(alice_client.get(reverse("accounts:settings"))) == {
        "email": "email",
        "current_password": "current-password",
        "name": "off",  # an API token's name: nothing a password manager should fill
        "password": "current-password",
    }
    assert autocomplete_hints(alice_client.get(reverse("accounts:password_change"))) == {
        "old_password": "current-password",
        "new_password1": "new-password",
        "new_password2": "new-password",
    }


def test_password_reset_confirm_asks_for_a_new_password(client, alice):
    uid = urlsafe_base64_encode(force_bytes(alice.pk))
    token = default_token_generator.make_token(alice)
    link = reverse("accounts:password_reset_confirm", args=[uid, token])
    form_page = client.get(client.get(link)["Location"])
    assert autocomplete_hints(form_page) == {
        "new_password1": "new-password",
        "new_password2": "new-password",
    }


# --- Limits on sign-up and password reset ----------------------------------------


@override_settings(SIGNUP_LIMIT_PER_HOUR=2)
def test_sign_up_is_limited_per_client_address(client):
    for number in range(2):
        assert (
            signup(client, username=f"carol{number}", email=f"c{number}@example.com").status_code
            == 302
        )
        client.post(reverse("accounts:logout"))
    refused = signup(client, username="carol2", email="c2@example.com")
    assert refused.status_code == 429
    assert "Too many accounts were made from your connection" in refused.content.decode()
    assert not User.objects.filter(username="carol2").exists()

    elsewhere = signup(
        client, username="carol2", email="c2@example.com", client_address="192.0.2.9"
    )
    assert elsewhere.status_code == 302


@override_settings(RESET_LIMIT_PER_ADDRESS_PER_HOUR=2)
def test_password_reset_mail_to_one_address_is_limited(client, alice, mailoutbox):
    for number in range(2):
        client.post(
            reverse("accounts:password_reset"),
            {"email": "alice@example.com"},
            REMOTE_ADDR=f"192.0.2.{number}",
        )
    refused = client.post(
        reverse("accounts:password_reset"), {"email": "ALICE@example.com"}, REMOTE_ADDR="192.0.2.7"
    )
    assert refused.status_code == 429
    assert "Too many reset emails" in refused.content.decode()
    assert len(mailoutbox) == 2


@override_settings(RESET_LIMIT_PER_IP_PER_HOUR=3)
def test_password_reset_requests_from_one_address_are_limited(client, alice, bob, mailoutbox):
    for email in ["nobody@example.com", "bob@example.com", "someone@example.com"]:
        assert client.post(reverse("accounts:password_reset"), {"email": email}).status_code == 302
    refused = client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
    assert refused.status_code == 429
    assert [message.to for message in mailoutbox] == [["bob@example.com"]]


REDIS_TEST_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": SHARED_CACHE_TEST_URL,
    }
}


@override_settings(CACHES=REDIS_TEST_CACHE, SIGNUP_LIMIT_PER_HOUR=1)
def test_sign_up_limit_counts_in_redis(client):
    redis.Redis.from_url(SHARED_CACHE_TEST_URL).flushdb()
    try:
        assert signup(client).status_code == 302
        client.post(reverse("accounts:logout"))
        assert signup(client, username="dave", email="dave@example.com").status_code == 429
    finally:
        redis.Redis.from_url(SHARED_CACHE_TEST_URL).flushdb()


def test_deleting_the_account_ends_its_sessions_on_every_device(alice, bob):
    """Another device's session held the member's pending import, titles and all, for 14 days."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    phone, laptop, bobs_phone = Client(), Client(), Client()
    for device, member in [(phone, alice), (laptop, alice), (bobs_phone, bob)]:
        device.force_login(member)
    held = phone.session
    held[PENDING_IMPORT_KEY] = {"rows": [{"title": "Heat (1995)", "rating": 4.5}]}
    held.save()

    laptop.post(reverse("accounts:delete_account"), {"password": "correct horse 1"})

    assert not store().exists(held.session_key)
    assert store(held.session_key).load() == {}
    assert phone.get(reverse("ratings:my_ratings")).status_code == 302
    assert bobs_phone.get(reverse("ratings:my_ratings")).status_code == 200
