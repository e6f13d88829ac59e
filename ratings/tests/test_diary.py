"""The diary: logging watches, the month page, editing, and what a logged film means."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from catalog.tests.factories import make_movie
from ratings import diary
from ratings.models import DiaryEntry, ListEntry, Rating

pytestmark = pytest.mark.django_db


@pytest.fixture
def heat():
    return make_movie("Heat", year=1995)


def log(client, movie, **fields):
    data = {"watched_on": "", "rating": "", "note": "", "next": movie.get_absolute_url()}
    data.update(fields)
    return client.post(reverse("ratings:log_watch", args=[movie.pk]), data)


def test_logging_without_a_date_logs_today_without_a_rating(alice_client, alice, heat):
    response = log(alice_client, heat, watched_on=timezone.localdate().isoformat())

    assert response.status_code == 302
    entry = DiaryEntry.objects.get(user=alice)
    assert (entry.movie, entry.watched_on, entry.rating) == (heat, timezone.localdate(), None)
    assert not Rating.objects.filter(user=alice).exists()


def test_a_watch_with_a_rating_rates_the_film_as_of_that_day(alice_client, alice, heat):
    log(alice_client, heat, watched_on="2024-03-09", rating="4.5", note="With Sam.")

    entry = DiaryEntry.objects.get(user=alice)
    rating = Rating.objects.get(user=alice)
    assert (entry.rating, entry.note) == (4.5, "With Sam.")
    assert rating.value == 4.5
    assert timezone.localtime(rating.rated_at).date() == datetime.date(2024, 3, 9)


def test_an_older_watch_does_not_replace_a_newer_rating(alice, heat):
    diary.log_watch(alice, heat, datetime.date(2024, 5, 1), rating=4.0)
    diary.log_watch(alice, heat, datetime.date(2020, 1, 1), rating=2.0)

    assert Rating.objects.get(user=alice).value == 4.0
    assert DiaryEntry.objects.filter(user=alice).count() == 2


def test_a_second_watch_is_a_rewatch_entry_of_its_own(alice, heat):
    first = diary.log_watch(alice, heat, datetime.date(2024, 1, 1))
    second = diary.log_watch(alice, heat, datetime.date(2024, 2, 1))

    assert (first.rewatch, second.rewatch) == (False, True)
    assert first.pk != second.pk


def test_logging_takes_the_film_off_the_watchlist(alice, heat):
    ListEntry.objects.create(user=alice, movie=heat, kind=ListEntry.Kind.WATCHLIST)
    diary.log_watch(alice, heat)
    assert not ListEntry.objects.filter(user=alice).exists()


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"watched_on": "2999-01-01"}, "That day has not come yet."),
        ({"watched_on": "1800-01-01"}, "Films were not shown before 1888."),
        ({"watched_on": "yesterday"}, "Enter a valid date."),
        ({"watched_on": "2024-01-01", "rating": "4.2"}, "Select a valid choice."),
        ({"watched_on": "2024-01-01", "note": "x" * 501}, "at most 500 characters"),
    ],
)
def test_a_bad_watch_is_refused_and_nothing_is_logged(alice_client, alice, heat, fields, problem):
    response = log(alice_client, heat, **fields)

    assert response.status_code == 302
    assert problem in alice_client.get(response.url).content.decode()
    assert not DiaryEntry.objects.exists()


def test_a_visitor_is_sent_to_log_in_and_nothing_is_logged(client, heat):
    response = log(client, heat, watched_on="2024-01-01")

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))
    assert not DiaryEntry.objects.exists()


def test_the_diary_shows_one_month_with_links_to_the_months_around_it(alice_client, alice):
    for day, title in [
        ("2024-01-20", "January Film"),
        ("2024-03-02", "March Film"),
        ("2024-03-28", "Late March Film"),
        ("2024-07-04", "July Film"),
    ]:
        diary.log_watch(alice, make_movie(title), datetime.date.fromisoformat(day), note="")

    page = alice_client.get(reverse("ratings:diary_month", args=[2024, 3])).content.decode()

    assert "March Film" in page and "Late March Film" in page
    assert "January Film" not in page and "July Film" not in page
    assert page.index("Late March Film") < page.index(">March Film")
    assert reverse("ratings:diary_month", args=[2024, 1]) in page
    assert reverse("ratings:diary_month", args=[2024, 7]) in page


def test_the_diary_opens_on_the_latest_watch_and_shows_notes_only_to_their_owner(
    alice_client, alice, bob, client
):
    diary.log_watch(alice, make_movie("Alien"), datetime.date(2023, 5, 6), note="Loud cinema.")
    diary.log_watch(bob, make_movie("Bobs Film"), datetime.date(2023, 5, 7), note="Bob's secret.")

    page = alice_client.get(reverse("ratings:diary")).content.decode()

    assert "May 2023" in page and "Loud cinema." in page
    assert "Bob's secret." not in page and "Bobs Film" not in page


def test_a_member_edits_and_deletes_only_their_own_entries(alice_client, alice, bob, heat):
    mine = diary.log_watch(alice, heat, datetime.date(2024, 1, 1))
    theirs = diary.log_watch(bob, heat, datetime.date(2024, 1, 1))

    response = alice_client.post(
        reverse("ratings:diary_entry", args=[mine.pk]),
        {"watched_on": "2024-01-02", "rating": "3", "rewatch": "on", "note": "Again."},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert (mine.watched_on, mine.rating, mine.rewatch, mine.note) == (
        datetime.date(2024, 1, 2),
        3.0,
        True,
        "Again.",
    )
    assert alice_client.get(reverse("ratings:diary_entry", args=[theirs.pk])).status_code == 404
    assert alice_client.post(reverse("ratings:diary_delete", args=[theirs.pk])).status_code == 404
    alice_client.post(reverse("ratings:diary_delete", args=[mine.pk]))
    assert list(DiaryEntry.objects.all()) == [theirs]
    assert Rating.objects.get(user=alice).value == 3.0


def test_the_film_page_offers_the_log_form_and_lists_the_members_watches(alice_client, alice, heat):
    diary.log_watch(alice, heat, datetime.date(2022, 12, 25), rating=5.0)

    page = alice_client.get(heat.get_absolute_url()).content.decode()

    assert reverse("ratings:log_watch", args=[heat.pk]) in page
    assert "Watched 25 Dec 2022" in page
    assert f'value="{timezone.localdate().isoformat()}"' in page


def test_the_diary_month_runs_a_constant_number_of_queries(
    alice_client, alice, django_assert_num_queries
):
    for count in (2, 20):
        for i in range(count):
            diary.log_watch(alice, make_movie(), datetime.date(2024, 4, 1 + i % 28))
        # Session, user, the month's entries with films, the months before and after.
        with django_assert_num_queries(5):
            alice_client.get(reverse("ratings:diary_month", args=[2024, 4]))


@pytest.mark.parametrize(("year", "month"), [(2024, 13), (2024, 0), (0, 1), (9999, 12)])
def test_a_month_that_cannot_be_shown_is_a_404(alice_client, year, month):
    url = reverse("ratings:diary_month", args=[year, month])
    assert alice_client.get(url).status_code == 404
