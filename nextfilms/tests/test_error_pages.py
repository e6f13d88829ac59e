"""Error pages come in the site's own design, with a way back."""

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error

from catalog.tests.factories import make_movie


@pytest.mark.django_db
def test_missing_and_hidden_films_get_the_sites_own_404(client):
    hidden = make_movie("Hidden Film", is_hidden=True)

    for path in ("/films/999999/", hidden.get_absolute_url(), "/no-such-page/"):
        response = client.get(path)
        assert response.status_code == 404
        page = response.content.decode()
        assert "We couldn’t find that page" in page
        assert 'aria-label="Main"' in page  # the site's navigation, not Django's bare page
        assert 'action="/search/"' in page


def test_server_errors_get_a_styled_page_that_needs_no_database():
    response = server_error(RequestFactory().get("/"))

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page
    assert "css/site.css" in page


def test_favicon_ico_leads_to_the_sites_icon_not_a_404(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 302
    assert response["Location"].startswith("/static/img/favicon")
    assert response["Location"].endswith(".svg")
