"""Staff curate the catalog in the admin."""

import pytest
from django.urls import reverse

from catalog.tests.factories import make_movie

pytestmark = pytest.mark.django_db


def test_movie_changelist_searches_by_title_and_ids(staff_client):
    heat = make_movie("Heat", movielens_id=6, tmdb_id=949, imdb_id="tt0113277")
    make_movie("Casino", movielens_id=16)
    url = reverse("admin:catalog_movie_changelist")
    for term in ["heat", "949", "6", "tt0113277"]:
        result = list(staff_client.get(url, {"q": term}).context["cl"].result_list)
        assert result == [heat], term


def test_movie_changelist_filters_by_decade_and_hidden(staff_client):
    make_movie("Seventies", year=1975)
    make_movie("Nineties", year=1995, is_hidden=True)
    url = reverse("admin:catalog_movie_changelist")
    by_decade = staff_client.get(url, {"decade": "1970"}).context["cl"].result_list
    hidden = staff_client.get(url, {"is_hidden__exact": "1"}).context["cl"].result_list
    assert [m.title for m in by_decade] == ["Seventies"]
    assert [m.title for m in hidden] == ["Nineties"]


def test_a_decade_filter_that_is_not_a_number_is_refused_not_a_crash(staff_client):
    make_movie("Seventies", year=1975)
    url = reverse("admin:catalog_movie_changelist")
    response = staff_client.get(url, {"decade": "abc"})
    # The admin's own answer to a bad filter: back to the list with its error flag.
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")


def test_searching_for_a_superscript_digit_is_a_title_search(staff_client):
    alien = make_movie("Alien³", movielens_id=1320)
    url = reverse("admin:catalog_movie_changelist")
    response = staff_client.get(url, {"q": "³"})
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [alien]


def test_movie_change_form_renders_with_credits_inline(staff_client):
    movie = make_movie("Heat")
    response = staff_client.get(reverse("admin:catalog_movie_change", args=[movie.pk]))
    assert response.status_code == 200
    assert "credits-TOTAL_FORMS" in response.content.decode()


def test_staff_hides_a_movie_and_visitors_get_404(staff_client, client):
    movie = make_movie("Heat")
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(movie.pk),
        "form-0-is_hidden": "on",
        "_save": "Save",
    }
    staff_client.post(reverse("admin:catalog_movie_changelist"), data)
    movie.refresh_from_db()
    assert movie.is_hidden
    staff_client.logout()
    assert staff_client.get(movie.get_absolute_url()).status_code == 404


def test_admin_is_for_staff_only(client):
    response = client.get(reverse("admin:catalog_movie_changelist"))
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
