"""Import (upload → preview → confirm) and export pages: owners only, POST and CSRF for changes."""

import io
import re
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import InMemoryUploadedFile, SimpleUploadedFile
from django.core.files.uploadhandler import StopFutureHandlers
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import reverse

from catalog.models import Movie
from catalog.tests.factories import make_movie
from ratings.models import ListEntry, Rating
from ratings.transfer.formats import MAX_BYTES
from ratings.transfer.views import (
    MAX_REQUEST_BYTES,
    PENDING_IMPORT_KEY,
    SingleFileUploadHandler,
    import_upload,
)

pytestmark = pytest.mark.django_db

MEGABYTE = 1024 * 1024

LETTERBOXD = (
    "Date,Name,Year,Letterboxd URI,Rating\n"
    "2023-01-05,Heat,1995,https://boxd.it/29Kc,4.5\n"
    '2023-01-06,"Crouching Tiger, Hidden Dragon",2000,https://boxd.it/1vKK,3\n'
    "2023-01-07,Nowhere To Be Found,1990,,2\n"
    "2023-01-08,Up,2009,,11\n"
)


@pytest.fixture
def films():
    return {
        "heat": make_movie("Heat", year=1995),
        "tiger": make_movie("Crouching Tiger, Hidden Dragon", year=2000),
    }


@pytest.fixture
def bob_client(bob):
    client = Client()
    client.force_login(bob)
    return client


def upload(client, text, name="ratings.csv"):
    file = SimpleUploadedFile(name, text.encode() if isinstance(text, str) else text, "text/csv")
    return client.post(reverse("ratings:import"), {"file": file})


def confirm(client, **data):
    """Post the preview's form, as the page on screen would (with its import id)."""
    if "import_id" not in data:
        data["import_id"] = client.session[PENDING_IMPORT_KEY]["id"]
    return client.post(reverse("ratings:import_confirm"), data)


def ratings_of(user):
    return dict(Rating.objects.filter(user=user).values_list("movie_id", "value"))


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("ratings:import", "get"),
        ("ratings:import", "post"),
        ("ratings:import_preview", "get"),
        ("ratings:import_confirm", "post"),
        ("ratings:export", "get"),
    ],
)
def test_visitors_are_sent_to_log_in(client, name, method):
    url = reverse(name)
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")


def test_upload_page_explains_the_three_formats(alice_client):
    page = alice_client.get(reverse("ratings:import")).content.decode()
    assert 'enctype="multipart/form-data"' in page
    assert "Import &amp; Export → Export your data" in page
    assert "Your Ratings" in page
    assert "movieId,rating" in page


def test_upload_preview_confirm_saves_the_matched_ratings(alice_client, alice, films):
    response = upload(alice_client, LETTERBOXD)
    assert response.status_code == 302
    assert response["Location"] == reverse("ratings:import_preview")
    assert ratings_of(alice) == {}

    page = alice_client.get(reverse("ratings:import_preview")).content.decode()
    assert "2</strong> new ratings" in page
    assert "Nowhere To Be Found" in page
    assert "no film with this title and year" in page
    assert "line 5: rating &#x27;11&#x27; is not 0.5–5 in half stars" in page
    assert ratings_of(alice) == {}

    response = confirm(alice_client, conflict_policy="keep")

    assert response.status_code == 302
    assert response["Location"] == reverse("ratings:my_ratings")
    assert ratings_of(alice) == {films["heat"].pk: 4.5, films["tiger"].pk: 3.0}
    assert PENDING_IMPORT_KEY not in alice_client.session
    page = alice_client.get(response["Location"]).content.decode()
    assert "Import done: 2 new, 0 updated, 0 already the same, 0 kept as they were." in page


def test_the_session_keeps_ids_and_values_not_the_file(alice_client, films):
    upload(alice_client, LETTERBOXD)
    pending = alice_client.session[PENDING_IMPORT_KEY]
    assert pending["rows"] == [
        [films["heat"].pk, 4.5, 2, "2023-01-05"],
        [films["tiger"].pk, 3.0, 3, "2023-01-06"],
    ]
    assert pending["unmatched"] == [[4, "Nowhere To Be Found", 1990, pending["unmatched"][0][3]]]
    assert pending["invalid"] == [[5, "rating '11' is not 0.5–5 in half stars"]]


@pytest.mark.parametrize(("policy", "expected"), [("keep", 1.0), ("overwrite", 4.5)])
def test_conflicts_are_shown_and_resolved_by_the_chosen_policy(
    alice_client, alice, films, policy, expected
):
    Rating.objects.create(user=alice, movie=films["heat"], value=1.0)
    upload(alice_client, LETTERBOXD)

    page = alice_client.get(reverse("ratings:import_preview")).content.decode()
    assert "Different from your ratings" in page
    assert "1 star" in page
    assert 'name="conflict_policy" value="overwrite"' in page

    confirm(alice_client, conflict_policy=policy)

    assert ratings_of(alice)[films["heat"].pk] == expected


def test_an_unreadable_file_shows_the_problem_on_the_upload_page(alice_client):
    response = upload(alice_client, "Title,Director\nHeat,Michael Mann\n")
    assert response.status_code == 200
    assert "line 1: unrecognised columns (Title, Director)" in response.content.decode()
    assert PENDING_IMPORT_KEY not in alice_client.session


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "is not a CSV or zip file"),
        ("ratings.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "holds binary data"),
        ("ratings.csv", b"", "empty"),
    ],
)
def test_wrong_files_are_refused_on_the_page(alice_client, name, data, message):
    response = upload(alice_client, data, name=name)
    assert response.status_code == 200
    assert message in response.content.decode()


def test_an_oversized_upload_is_refused_naming_the_limit(alice_client):
    data = b"movieId,rating\n" + b"1,4\n" * (MAX_BYTES // 4 + 10)
    response = upload(alice_client, data)
    assert "the limit is 5 MB" in response.content.decode()
    assert PENDING_IMPORT_KEY not in alice_client.session


def test_uploads_stay_in_memory_and_stop_growing_past_the_limit(rf):
    handler = SingleFileUploadHandler(rf.post("/"))
    megabyte = 1024 * 1024
    handler.handle_raw_input(None, {}, 7 * megabyte, b"boundary")
    with pytest.raises(StopFutureHandlers):
        handler.new_file("file", "big.csv", "text/csv", 7 * megabyte)
    for start in range(0, 7 * megabyte, megabyte):
        handler.receive_data_chunk(b"x" * megabyte, start)

    upload = handler.file_complete(7 * megabyte)

    assert isinstance(upload, InMemoryUploadedFile)
    assert upload.size == 7 * megabyte
    assert len(upload.read()) == MAX_BYTES + 1


def test_a_second_file_is_refused_on_the_page_and_nothing_is_kept(alice_client, alice, films):
    first = SimpleUploadedFile("ratings.csv", LETTERBOXD.encode(), "text/csv")
    second = SimpleUploadedFile("more.csv", LETTERBOXD.encode(), "text/csv")

    response = alice_client.post(reverse("ratings:import"), {"file": [first, second]})

    assert response.status_code == 400
    assert "Upload one file at a time" in response.content.decode()
    assert PENDING_IMPORT_KEY not in alice_client.session
    assert ratings_of(alice) == {}


def test_file_parts_after_the_first_are_not_read_at_all(rf):
    # Short lines: Django drains an unread body line by line, which is slow.
    parts = {f"part{i}": SimpleUploadedFile(f"{i}.csv", b"1,4\n" * 250_000) for i in range(5)}
    encoded = rf.post("/", parts)
    body = encoded.read()
    stream = io.BytesIO(body)
    request = rf.generic(
        "POST",
        "/me/import/",
        body,
        content_type=encoded.META["CONTENT_TYPE"],
        **{"wsgi.input": stream},
    )
    handler = SingleFileUploadHandler(request)
    request.upload_handlers = [handler]

    request.POST  # noqa: B018 -- parsing the body is what is tested

    assert handler.refusal
    assert handler.files_started == 2
    assert sum(upload.size for upload in request.FILES.values()) <= MEGABYTE
    assert stream.tell() < 3 * MEGABYTE < len(body)


class UnreadableBody(io.RawIOBase):
    def read(self, size=-1):
        raise AssertionError("the request body was read")


def test_an_overlong_request_is_refused_from_its_length_without_reading_it(rf, alice):
    request = rf.post(
        reverse("ratings:import"),
        data=b"",
        content_type="multipart/form-data; boundary=nextfilms",
        CONTENT_LENGTH=str(500 * MEGABYTE),
        **{"wsgi.input": UnreadableBody()},
    )
    request.user = alice
    request.session = {}

    response = import_upload(request)

    assert response.status_code == 413
    assert "The upload is 500.0 MB; the limit is 5 MB." in response.content.decode()


def test_a_file_too_large_for_the_request_limit_is_refused_naming_the_limit(alice_client):
    data = b"movieId,rating\n" + b"1,4\n" * (MAX_REQUEST_BYTES // 4)
    response = upload(alice_client, data)
    assert response.status_code == 413
    assert "the limit is 5 MB" in response.content.decode()
    assert PENDING_IMPORT_KEY not in alice_client.session


def test_preview_without_a_pending_import_goes_back_to_upload(alice_client):
    response = alice_client.get(reverse("ratings:import_preview"))
    assert response.status_code == 302
    assert response["Location"] == reverse("ratings:import")


def test_a_pending_import_belongs_to_its_member(alice_client, alice, bob, films):
    upload(alice_client, LETTERBOXD)
    pending = alice_client.session[PENDING_IMPORT_KEY]
    # Even a payload copied into another member's session is not theirs to apply.
    bob_client = Client()
    bob_client.force_login(bob)
    session = bob_client.session
    session[PENDING_IMPORT_KEY] = pending
    session.save()

    assert bob_client.get(reverse("ratings:import_preview"))["Location"] == reverse(
        "ratings:import"
    )
    confirm(bob_client, conflict_policy="overwrite", import_id=pending["id"])

    assert ratings_of(bob) == {}
    assert ratings_of(alice) == {}


def test_confirm_only_changes_the_members_own_ratings(alice_client, alice, bob, films):
    Rating.objects.create(user=bob, movie=films["heat"], value=0.5)
    upload(alice_client, LETTERBOXD)
    confirm(alice_client, conflict_policy="overwrite")
    assert ratings_of(bob) == {films["heat"].pk: 0.5}
    assert len(ratings_of(alice)) == 2


def test_cancel_discards_the_pending_import(alice_client, alice, films):
    upload(alice_client, LETTERBOXD)
    response = confirm(alice_client, cancel="1")
    assert response["Location"] == reverse("ratings:import")
    assert PENDING_IMPORT_KEY not in alice_client.session
    assert ratings_of(alice) == {}


def test_confirm_saves_only_the_file_whose_preview_was_shown(alice_client, alice, films):
    Rating.objects.create(user=alice, movie=films["heat"], value=1.0)
    upload(alice_client, "Name,Year,Rating\nHeat,1995,4.5\n")
    first_tab = alice_client.get(reverse("ratings:import_preview"))
    shown_id = first_tab.context["form"]["import_id"].value()
    assert f'name="import_id" value="{shown_id}"' in first_tab.content.decode()
    # A second tab uploads another file, which replaces the pending import...
    upload(alice_client, "Name,Year,Rating\nHeat,1995,0.5\n")

    # ...and the first tab's Confirm, sent with its own preview's id, saves nothing.
    response = alice_client.post(
        reverse("ratings:import_confirm"),
        {"import_id": shown_id, "conflict_policy": "overwrite"},
        follow=True,
    )

    assert ratings_of(alice) == {films["heat"].pk: 1.0}
    assert response.redirect_chain == [(reverse("ratings:import_preview"), 302)]
    page = response.content.decode()
    assert "Nothing was saved: another upload (in another tab or window?) has replaced" in page
    assert "<td>0.5 stars</td>" in page
    # The newer file is still waiting, for its own preview's Confirm.
    confirm(alice_client, conflict_policy="overwrite")
    assert ratings_of(alice) == {films["heat"].pk: 0.5}


@pytest.mark.parametrize("data", [{}, {"import_id": ""}, {"import_id": "made-up"}])
def test_a_confirm_naming_no_shown_preview_is_refused(alice_client, alice, films, data):
    upload(alice_client, LETTERBOXD)
    response = alice_client.post(
        reverse("ratings:import_confirm"), {**data, "conflict_policy": "keep"}
    )
    assert response["Location"] == reverse("ratings:import_preview")
    assert ratings_of(alice) == {}
    assert PENDING_IMPORT_KEY in alice_client.session


def test_cancel_in_an_old_tab_keeps_the_newer_upload(alice_client, films):
    upload(alice_client, LETTERBOXD)
    old_id = alice_client.session[PENDING_IMPORT_KEY]["id"]
    upload(alice_client, LETTERBOXD)

    alice_client.post(reverse("ratings:import_confirm"), {"import_id": old_id, "cancel": "1"})

    assert PENDING_IMPORT_KEY in alice_client.session


def test_confirm_needs_a_post(alice_client, films):
    upload(alice_client, LETTERBOXD)
    assert alice_client.get(reverse("ratings:import_confirm")).status_code == 405


def test_a_bad_policy_shows_the_preview_again(alice_client, alice, films):
    upload(alice_client, LETTERBOXD)
    response = confirm(alice_client, conflict_policy="merge")
    assert response.status_code == 400
    assert ratings_of(alice) == {}


def test_confirm_and_upload_enforce_csrf(alice, films):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    file = SimpleUploadedFile("ratings.csv", LETTERBOXD.encode(), "text/csv")
    assert client.post(reverse("ratings:import"), {"file": file}).status_code == 403

    page = client.get(reverse("ratings:import"))
    token = page.context["csrf_token"]
    file = SimpleUploadedFile("ratings.csv", LETTERBOXD.encode(), "text/csv")
    response = client.post(reverse("ratings:import"), {"file": file, "csrfmiddlewaretoken": token})
    assert response.status_code == 302

    url = reverse("ratings:import_confirm")
    data = {"conflict_policy": "keep", "import_id": client.session[PENDING_IMPORT_KEY]["id"]}
    assert client.post(url, data).status_code == 403
    assert ratings_of(alice) == {}
    response = client.post(url, {**data, "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    assert len(ratings_of(alice)) == 2


def test_titles_from_the_file_are_escaped(alice_client):
    upload(alice_client, "Name,Year,Rating\n<script>alert(1)</script>,2001,4\n")
    page = alice_client.get(reverse("ratings:import_preview")).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_export_downloads_only_the_members_films(alice_client, alice, bob, films):
    Rating.objects.create(user=alice, movie=films["heat"], value=4.0)
    ListEntry.objects.create(user=alice, movie=films["tiger"], kind="watchlist")
    Rating.objects.create(user=bob, movie=make_movie("Bobs Secret Film"), value=5.0)

    response = alice_client.get(reverse("ratings:export"))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="nextfilms-export-')
    assert response["Content-Disposition"].endswith('.zip"')
    assert "no-store" in response["Cache-Control"]
    files = exported(response)
    assert sorted(files) == [
        "diary.csv",
        "likes/films.csv",
        "not-interested.csv",
        "ratings.csv",
        "watchlist.csv",
    ]
    assert files["ratings.csv"].splitlines()[1].endswith(",Heat,1995,,4,,")
    assert files["watchlist.csv"].splitlines()[1:] == [
        RegexMatch(r'\d{4}-\d\d-\d\d,"Crouching Tiger, Hidden Dragon",2000,,,')
    ]
    assert not any("Bobs Secret Film" in text for text in files.values())


class RegexMatch(str):
    def __eq__(self, other):
        return re.fullmatch(self, other) is not None

    __hash__ = str.__hash__


def exported(response):
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}


def test_export_keeps_films_staff_hid_since_they_are_the_members_data(alice_client, alice):
    Rating.objects.create(user=alice, movie=make_movie("Gone Film", year=1990), value=2.5)
    Movie.objects.filter(title="Gone Film").update(is_hidden=True)
    files = exported(alice_client.get(reverse("ratings:export")))
    assert "Gone Film,1990,,2.5," in files["ratings.csv"]


@pytest.mark.parametrize("count", [3, 30])
def test_export_and_preview_run_a_constant_number_of_queries(
    alice_client, alice, django_assert_num_queries, count
):
    movies = [make_movie(f"Film {i}", year=2000) for i in range(count)]
    for movie in movies:
        Rating.objects.create(user=alice, movie=movie, value=3.0)
    file = "Name,Year,Rating\n" + "".join(f"{movie.title},2000,4\n" for movie in movies)
    upload(alice_client, file)

    # Session, user, movies, the member's ratings.
    with django_assert_num_queries(4):
        alice_client.get(reverse("ratings:import_preview"))
    # Session, user, ratings, diary, three lists.
    with django_assert_num_queries(7):
        alice_client.get(reverse("ratings:export"))
