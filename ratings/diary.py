"""A member's diary: log a watch on a day, with or without a rating; rewatches are new entries.

The views and the JSON API both change the diary through these functions.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ratings.models import DiaryEntry, ListEntry, Rating


def moment_of(day):
    """A rating's time for a watch on ``day``: now for today, else noon of that day."""
    if day >= timezone.localdate():
        return timezone.now()
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))


def log_watch(user, movie, watched_on=None, rating=None, rewatch=False, note=""):
    """Add a diary entry for ``movie`` watched on ``watched_on`` (today by default).

    With a rating, the member's rating of the film follows it unless they rated
    the film after that day. A second watch of a film is marked as a rewatch.
    The film leaves the watchlist: it has been seen.
    """
    watched_on = watched_on or timezone.localdate()
    with transaction.atomic():
        earlier = DiaryEntry.objects.filter(
            user=user, movie=movie, watched_on__lte=watched_on
        ).exists()
        entry = DiaryEntry.objects.create(
            user=user,
            movie=movie,
            watched_on=watched_on,
            rating=rating,
            rewatch=bool(rewatch or earlier),
            note=note.strip(),
        )
        if rating is not None:
            _rate_as_of(user, movie, rating, watched_on)
        ListEntry.objects.filter(user=user, movie=movie, kind=ListEntry.Kind.WATCHLIST).delete()
    return entry


def _rate_as_of(user, movie, value, day):
    current = Rating.objects.filter(user=user, movie=movie).first()
    if current is None:
        Rating.objects.create(user=user, movie=movie, value=value, rated_at=moment_of(day))
    elif timezone.localtime(current.rated_at).date() <= day:
        current.value, current.rated_at = value, moment_of(day)
        current.save(update_fields=["value", "rated_at", "updated_at"])


def update_entry(entry, watched_on, rating, rewatch, note):
    """Change an entry; a new rating on it updates the film's rating as logging does."""
    with transaction.atomic():
        entry.watched_on, entry.rating, entry.rewatch = watched_on, rating, rewatch
        entry.note = note.strip()
        entry.save()
        if rating is not None:
            _rate_as_of(entry.user, entry.movie, rating, watched_on)
    return entry


def delete_entry(user, entry_id):
    """Delete one of ``user``'s entries (the film's rating stays); False if there is none."""
    deleted, _ = DiaryEntry.objects.filter(user=user, pk=entry_id).delete()
    return bool(deleted)


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, day):
        return cls(day.year, day.month)

    @property
    def first_day(self):
        return datetime.date(self.year, self.month, 1)

    @property
    def label(self):
        return f"{calendar.month_name[self.month]} {self.year}"


def diary_month(user, month):
    """``user``'s entries of ``month``, newest first, and the nearest months with entries."""
    entries = list(
        DiaryEntry.objects.for_user(user)
        .of_visible_movies()
        .in_month(month.year, month.month)
        .select_related("movie")
    )
    mine = DiaryEntry.objects.for_user(user).of_visible_movies()
    before = mine.filter(watched_on__lt=month.first_day).order_by("-watched_on").first()
    after_start = (month.first_day + datetime.timedelta(days=31)).replace(day=1)
    after = mine.filter(watched_on__gte=after_start).order_by("watched_on").first()
    return (
        entries,
        Month.of(before.watched_on) if before else None,
        Month.of(after.watched_on) if after else None,
    )


def entries_for_movie(user, movie):
    """``user``'s watches of ``movie``, newest first."""
    return list(DiaryEntry.objects.for_user(user).filter(movie=movie))
