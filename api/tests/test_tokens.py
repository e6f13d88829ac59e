"""Tokens: made on the settings page and shown once, stored hashed, used, revoked."""

import re

import pytest

from api.models import ApiToken
from api.tests.conftest import ApiClient, assert_error, csrf_from, log_in_over_http
from api.tokens import create_token


def make_token_in_settings(base_url, session, name):
    settings_page = session.get(f"{base_url}/accounts/settings/", timeout=30)
    return session.post(
        f"{base_url}/accounts/settings/api-tokens/new/",
        data={"name": name, "csrfmiddlewaretoken": csrf_from(settings_page.text)},
        headers={"Referer": f"{base_url}/accounts/settings/"},
        timeout=30,
    )


def test_a_token_made_in_settings_works_until_it_is_revoked(live_server, alice):
    browser = log_in_over_http(live_server.url)

    made = make_token_in_settings(live_server.url, browser, "laptop script")

    assert made.status_code == 201
    assert "no-store" in made.headers["Cache-Control"]
    key = re.search(r'id="api-token-key"[^>]*value="(nf_[^"]+)"', made.text).group(1)
    api = ApiClient(live_server.url, key)
    me = api.get("me/")
    assert me.status_code == 200
    assert me.json()["username"] == "alice"

    settings_page = browser.get(f"{live_server.url}/accounts/settings/", timeout=30).text
    token = ApiToken.objects.get(user=alice)
    assert "laptop script" in settings_page
    assert token.prefix in settings_page and key not in settings_page
    assert token.last_used_at is not None

    revoked = browser.post(
        f"{live_server.url}/accounts/settings/api-tokens/{token.pk}/revoke/",
        data={"csrfmiddlewaretoken": csrf_from(settings_page)},
        headers={"Referer": f"{live_server.url}/accounts/settings/"},
        timeout=30,
    )
    assert revoked.status_code == 200 and "revoked" in revoked.text
    refused = api.get("me/")
    assert_error(refused, 401, "authentication_failed")
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.django_db
def test_only_a_hash_of_the_token_is_stored(alice):
    token, key = create_token(alice, "phone")

    stored = ApiToken.objects.filter(pk=token.pk).values().get()

    assert key not in {str(value) for value in stored.values()}
    assert len(stored["key_hash"]) == 64
    # What settings show tells tokens apart and leaves over 200 random bits unshown.
    assert key.startswith(stored["prefix"]) and len(key) - len(stored["prefix"]) >= 35


@pytest.mark.django_db
def test_a_name_is_used_once_per_member_and_the_form_says_so(alice, bob, alice_client):
    create_token(alice, "phone")
    create_token(bob, "phone")

    response = alice_client.post("/accounts/settings/api-tokens/new/", {"name": "phone"})

    assert response.status_code == 400
    assert "already have a token named" in response.content.decode()
    assert ApiToken.objects.filter(user=alice).count() == 1


@pytest.mark.django_db
def test_a_member_cannot_revoke_anothers_token(alice_client, bob):
    token, _ = create_token(bob, "bob's")

    response = alice_client.post(f"/accounts/settings/api-tokens/{token.pk}/revoke/", follow=True)

    assert "no longer exists" in response.content.decode()
    assert ApiToken.objects.filter(pk=token.pk).exists()


@pytest.mark.django_db
def test_revoking_takes_a_post(alice_client, alice):
    token, _ = create_token(alice, "phone")

    assert alice_client.get(f"/accounts/settings/api-tokens/{token.pk}/revoke/").status_code == 405
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_wrong_and_malformed_tokens_are_refused_not_treated_as_visitors(live_server, alice):
    create_token(alice, "real")
    for header in ["Bearer nf_not-a-real-token", "Bearer", "Bearer two parts", "Bearer x"]:
        response = ApiClient(live_server.url).get("films/", headers={"Authorization": header})
        assert_error(response, 401, "authentication_failed")


def test_a_deactivated_members_token_stops_working(live_server, alice):
    _, key = create_token(alice, "phone")
    alice.is_active = False
    alice.save()

    assert_error(ApiClient(live_server.url, key).get("me/"), 401, "authentication_failed")


@pytest.mark.django_db
def test_deleting_an_account_deletes_its_tokens(alice):
    create_token(alice, "phone")

    alice.delete()

    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_the_token_panel_shows_once_even_when_apps_are_made_ready_again(alice_client):
    from accounts import extensions
    from api.token_views import settings_panel

    extensions.register_settings_panel(settings_panel)

    page = alice_client.get("/accounts/settings/").content.decode()
    assert page.count('id="api-tokens-heading"') == 1
