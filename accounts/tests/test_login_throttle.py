"""The log-in throttle: failures counted per account and per client, in the shared cache."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.test import override_settings
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from catalog.tests.factories import make_movie
from conftest import SHARED_CACHE_TEST_URL, database_url_for_subprocesses
from ratings import pending

BASE_DIR = Path(__file__).resolve().parents[2]
RIGHT = "correct horse 1"
# A proxy in front of the site: every visitor arrives from its address.
PROXY = "10.0.0.1"


def log_in(client, username="alice", password=RIGHT, **extra):
    data = {"username": username}
    if password is not None:
        data["password"] = password
    return client.post(reverse("accounts:login"), data, **extra)


def is_logged_in(client):
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_with_a_friendly_page(client, alice):
    for _ in range(4):
        assert "do not match" in log_in(client, password="wrong").content.decode()
    locked = log_in(client, password="wrong")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Too many failed log-in attempts" in page
    assert "Try again in 15 minutes" in page
    assert reverse("accounts:password_reset") in page
    assert '<header class="site-header">' in page  # the site's own design, not a bare 403
    assert locked["Retry-After"] == "900"

    assert log_in(client).status_code == 429
    assert not is_logged_in(client)


@pytest.mark.django_db
def test_posts_without_a_password_do_not_reset_the_count(client, alice):
    """Finding 1: such posts used to clear the counter, so guessing went on for ever."""
    for _ in range(3):
        log_in(client, password="wrong")
        log_in(client, password="")
        log_in(client, password=None)
    for _ in range(2):
        log_in(client, password="wrong")
        log_in(client, password="")
    assert log_in(client).status_code == 429
    assert not is_logged_in(client)


@pytest.mark.django_db
def test_a_successful_log_in_starts_the_count_again(client, alice):
    for _ in range(4):
        log_in(client, password="wrong")
    assert log_in(client).status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(4):
        log_in(client, password="wrong")
    assert log_in(client).status_code == 302


@pytest.mark.django_db
def test_a_new_password_from_the_reset_link_lifts_the_lockout(client, alice):
    for _ in range(5):
        log_in(client, password="wrong")
    link = reverse(
        "accounts:password_reset_confirm",
        args=[
            urlsafe_base64_encode(force_bytes(alice.pk)),
            default_token_generator.make_token(alice),
        ],
    )
    new_password = {"new_password1": "new passphrase 99", "new_password2": "new passphrase 99"}
    client.post(client.get(link)["Location"], new_password)
    assert log_in(client, password="new passphrase 99").status_code == 302


@pytest.mark.django_db
def test_username_email_and_their_case_share_one_count(client, alice):
    for name in ["alice", "alice@example.com", "ALICE@EXAMPLE.COM", "Alice@Example.com", "alice"]:
        log_in(client, name, password="wrong")
    for name in ["alice", "alice@example.com", "ALICE@example.COM"]:
        assert log_in(client, name).status_code == 429
    assert not is_logged_in(client)


@pytest.mark.postgresql(reason="PostgreSQL's UPPER() matches ı and ſ to I and S")
@pytest.mark.django_db
def test_look_alike_letters_count_against_the_account_they_reach(client, django_user_model):
    django_user_model.objects.create_user("kristin", "kristin@example.com", RIGHT)
    # UPPER('ı') is 'I' and UPPER('ſ') is 'S': these addresses find kristin's account.
    look_alikes = ["krıstin@example.com", "kriſtin@example.com", "KRıſTıN@example.com"]
    assert log_in(client, look_alikes[0]).status_code == 302
    client.post(reverse("accounts:logout"))
    for name in [*look_alikes, *look_alikes[:2]]:
        log_in(client, name, password="wrong")
    assert log_in(client, "kristin").status_code == 429


@pytest.mark.django_db
def test_locked_accounts_stay_locked_from_another_address(client, alice):
    for number in range(5):
        log_in(client, password="wrong", REMOTE_ADDR=f"192.0.2.{number}")
    assert log_in(client, REMOTE_ADDR="192.0.2.200").status_code == 429


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_HEADER="X-Forwarded-For")
def test_behind_a_proxy_each_visitor_is_counted_by_their_own_address(client, alice, bob):
    guesser = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "203.0.113.5"}
    for name in ["carol", "dave", "erin", "frank", "grace"]:
        log_in(client, name, password="wrong", **guesser)
    # Spraying guesses over many names locks out the address that sent them...
    assert log_in(client, "bob", "battery staple 2", **guesser).status_code == 429
    # ...and nobody else behind the same proxy.
    other = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    assert log_in(client, "bob", "battery staple 2", **other).status_code == 302


@pytest.mark.django_db
@override_settings(TRUSTED_PROXY_HEADER="X-Forwarded-For")
def test_a_forged_forwarded_for_gives_no_fresh_count(client, alice):
    for number in range(5):
        # The proxy appends the address it saw; what the visitor sent comes first.
        forged = f"198.51.100.{number}, 203.0.113.5"
        log_in(
            client,
            f"name{number}",
            password="wrong",
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=forged,
        )
    fresh_forgery = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": "198.51.100.99, 203.0.113.5"}
    assert log_in(client, **fresh_forgery).status_code == 429


@pytest.mark.django_db
def test_the_locked_out_page_keeps_the_visitors_first_click(client, alice):
    movie = make_movie("Heat")
    client.get(reverse("accounts:login"), {"movie": movie.pk, "action": "rate", "value": "4.5"})
    for _ in range(5):
        log_in(client, password="wrong")
    page = log_in(client).content.decode()
    assert "Try again in 15 minutes" in page
    assert client.session[pending.SESSION_KEY] == {
        "movie": movie.pk,
        "action": "rate",
        "value": "4.5",
    }
    assert f"movie={movie.pk}&amp;action=rate&amp;value=4.5" in page


# --- Two web workers, one Redis ------------------------------------------------

LOG_IN_IN_A_WORKER = """
import sys
import django
django.setup()
from django.test import Client
client = Client()
for attempt in sys.argv[1:]:
    username, password = attempt.split(":")
    response = client.post("/accounts/login/", {"username": username, "password": password})
    print(response.status_code)
"""


def log_in_in_a_worker(*attempts):
    """``name:password`` log-ins in a web worker of their own, its cache in Redis database 14."""
    environment = {
        **os.environ,
        "DATABASE_URL": database_url_for_subprocesses(),
        "CACHE_URL": SHARED_CACHE_TEST_URL,
        "DJANGO_SETTINGS_MODULE": "nextfilms.settings_test",
    }
    result = subprocess.run(
        [sys.executable, "-c", LOG_IN_IN_A_WORKER, *attempts],
        cwd=BASE_DIR,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [int(status) for status in result.stdout.split()]


@pytest.mark.django_db(transaction=True)
def test_failures_in_one_worker_lock_the_account_in_the_others(alice, shared_cache_redis):
    assert log_in_in_a_worker("alice:wrong", "alice:wrong", "alice:wrong") == [200, 200, 200]
    assert log_in_in_a_worker(
        "alice@example.com:wrong", "ALICE@example.com:wrong", f"alice:{RIGHT}"
    ) == [200, 429, 429]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("accounts:settings", "current_password"),
        ("accounts:delete_account", "password"),
        ("accounts:password_change", "old_password"),
    ],
)
def test_guessing_the_password_in_an_open_session_counts_too(alice_client, url, field):
    """Whoever holds a member's session cannot try passwords there without limit."""
    data = {"email": "mallory@example.com", "new_password1": "x" * 12, "new_password2": "x" * 12}
    for _ in range(4):
        alice_client.post(reverse(url), {**data, field: "wrong"})
    assert alice_client.post(reverse(url), {**data, field: "wrong"}).status_code == 429
    alice_client.logout()
    assert log_in(alice_client, REMOTE_ADDR="192.0.2.50").status_code == 429
