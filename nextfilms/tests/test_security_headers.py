"""Every page says what it may load (CSP), which browser features it never uses
(Permissions-Policy), and members' pages are kept out of shared caches."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

from catalog.tests.factories import make_movie

pytestmark = pytest.mark.django_db

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style\b", re.IGNORECASE)


def policy(response):
    """The CSP header as ``{directive: [sources]}``."""
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def test_pages_allow_only_the_sites_own_scripts_and_styles_and_tmdb_images(client):
    directives = policy(client.get(reverse("catalog:home")))

    assert directives["default-src"] == ["'self'"]
    assert directives["script-src"] == ["'self'"]
    assert directives["style-src"] == ["'self'"]
    assert directives["style-src-elem"] == ["'self'"]
    assert directives["img-src"] == ["'self'", "https://image.tmdb.org"]
    assert directives["object-src"] == ["'none'"]
    assert directives["base-uri"] == ["'none'"]
    assert directives["form-action"] == ["'self'"]
    assert directives["frame-ancestors"] == ["'none'"]
    # Only style attributes (a poster's hue, a histogram bar's length) are inline.
    inline = [name for name, sources in directives.items() if "'unsafe-inline'" in sources]
    assert inline == ["style-src-attr"]


def test_a_visitors_page_served_from_the_page_cache_keeps_the_headers(client):
    make_movie("Heat", year=1995)
    client.get(reverse("catalog:home"))
    cached = client.get(reverse("catalog:home"))
    assert cached["X-Page-Cache"] == "hit"
    assert policy(cached)["script-src"] == ["'self'"]
    assert "camera=()" in cached["Permissions-Policy"]


def test_no_template_holds_an_inline_script_style_element_or_event_handler():
    offenders = [
        f"{path.relative_to(TEMPLATES_DIR)}: {match.group(0)[:60]}"
        for path in TEMPLATES_DIR.rglob("*.html")
        for pattern in (INLINE_SCRIPT, EVENT_HANDLER, STYLE_ELEMENT)
        for match in pattern.finditer(path.read_text())
    ]
    assert offenders == []


def test_rendered_pages_hold_no_inline_script(alice_client):
    movie = make_movie("Heat", year=1995)
    for url in (
        reverse("catalog:home"),
        movie.get_absolute_url(),
        reverse("catalog:search") + "?q=heat",
        reverse("ratings:my_ratings"),
        reverse("ratings:import"),
        reverse("recommender:for_you"),
    ):
        page = alice_client.get(url).content.decode()
        assert INLINE_SCRIPT.findall(page) == [], url
        assert EVENT_HANDLER.findall(page) == [], url


def test_browser_features_the_site_never_uses_are_turned_off(client):
    features = client.get(reverse("catalog:home"))["Permissions-Policy"].split(", ")
    for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
        assert feature in features


@pytest.mark.parametrize("name", ["catalog:home", "ratings:my_ratings", "recommender:for_you"])
def test_members_pages_are_private_to_their_browser(alice_client, name):
    response = alice_client.get(reverse(name))
    assert response.status_code == 200
    assert "private" in response["Cache-Control"]


def test_visitors_pages_stay_shareable_and_page_cached(client):
    make_movie("Heat", year=1995)
    first = client.get(reverse("catalog:browse"))
    second = client.get(reverse("catalog:browse"))
    assert "private" not in first.get("Cache-Control", "")
    assert second["X-Page-Cache"] == "hit"
