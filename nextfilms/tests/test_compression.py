"""Pages go out gzipped, with Django's BREACH mitigations (docs/security.md)."""

import gzip
import re

import pytest
from django.test import Client
from django.urls import reverse

from catalog.tests.factories import make_movie

pytestmark = pytest.mark.django_db

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def films():
    return [make_movie(f"Film {i}", genres=["Drama"], rating_count=50 - i) for i in range(30)]


def test_member_pages_go_out_gzipped_to_browsers_that_ask(alice_client, films):
    response = alice_client.get(reverse("catalog:browse"), HTTP_ACCEPT_ENCODING="gzip, br")
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    html = gzip.decompress(response.content).decode()
    assert "Film 0" in html
    assert len(response.content) < len(html) / 3


def test_a_browser_that_does_not_ask_gets_plain_html(alice_client, films):
    response = alice_client.get(reverse("catalog:browse"))
    assert "Content-Encoding" not in response
    assert "Film 0" in response.content.decode()


def test_visitors_cached_pages_are_gzipped_too(films):
    visitor = Client()
    first = visitor.get(reverse("catalog:browse"), HTTP_ACCEPT_ENCODING="gzip")
    second = visitor.get(reverse("catalog:browse"), HTTP_ACCEPT_ENCODING="gzip")
    assert second["X-Page-Cache"] == "hit"
    assert second["Content-Encoding"] == "gzip"
    assert gzip.decompress(second.content) == gzip.decompress(first.content)
    plain = visitor.get(reverse("catalog:browse"))
    assert "Content-Encoding" not in plain
    assert plain.content == gzip.decompress(first.content)


def test_each_page_masks_its_csrf_token_anew_and_pads_its_gzip_length(alice_client, films):
    tokens, sizes = set(), set()
    for _ in range(12):
        response = alice_client.get(reverse("catalog:browse"), HTTP_ACCEPT_ENCODING="gzip")
        html = gzip.decompress(response.content).decode()
        page_tokens = set(TOKEN.findall(html))
        assert len(page_tokens) == 1  # one token per page, in the actions template
        tokens |= page_tokens
        sizes.add(len(response.content))
    assert len(tokens) == 12
    # 0-99 random bytes in each gzip header (and the tokens' own randomness).
    assert len(sizes) > 3
