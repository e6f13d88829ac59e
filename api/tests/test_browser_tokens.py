"""A member makes an API token in settings, uses it, and revokes it, in Chromium."""

import re

import pytest
import requests
from playwright.sync_api import expect

from catalog.tests.axe import axe_violations
from catalog.tests.test_browser_layout import OVERFLOW
from conftest import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def fits_the_window(page):
    seen = page.evaluate(OVERFLOW)
    return seen["scrollWidth"] <= seen["clientWidth"]


def test_make_use_and_revoke_a_token(page, snap, live_server, alice):
    log_in(page)
    page.goto("/accounts/settings/")
    panel = page.get_by_role("region", name="API tokens")
    expect(panel.get_by_text("You have no API tokens.")).to_be_visible()
    snap("settings", at=panel)

    panel.get_by_label("Token name").fill("laptop script")
    panel.get_by_role("button", name="Make a token").click()
    key_field = page.get_by_label("Token")
    expect(key_field).to_have_value(re.compile(r"^nf_"))
    key = key_field.input_value()
    snap("token-shown-once")
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert fits_the_window(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    me = requests.get(
        f"{live_server.url}/api/v1/me/", headers={"Authorization": f"Bearer {key}"}, timeout=30
    )
    assert me.json()["username"] == "alice"

    page.get_by_role("link", name="Done").click()
    panel = page.get_by_role("region", name="API tokens")
    expect(panel.get_by_text("laptop script", exact=True)).to_be_visible()
    expect(panel.get_by_text("last used")).to_be_visible()
    assert key not in page.content()
    snap("settings-with-token", at=panel)
    assert axe_violations(page) == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert fits_the_window(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    panel.get_by_role("button", name="Revoke laptop script").click()
    expect(page.get_by_text("Token “laptop script” revoked")).to_be_visible()
    panel = page.get_by_role("region", name="API tokens")
    expect(panel.get_by_text("laptop script", exact=True)).to_have_count(0)
    again = requests.get(
        f"{live_server.url}/api/v1/me/", headers={"Authorization": f"Bearer {key}"}, timeout=30
    )
    assert again.status_code == 401
