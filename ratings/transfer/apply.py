"""Saving an import report for the member, in one transaction: ratings, diary, watchlist."""

from django.db import transaction
from django.utils import timezone

from ratings.aggregates import refresh_films
from ratings.diary import moment_of
from ratings.models import DiaryEntry, ListEntry, Rating
from ratings.transfer.report import ApplyResult, existing_ratings, logged_days

KEEP = "keep"
OVERWRITE = "overwrite"
CONFLICT_POLICIES = (KEEP, OVERWRITE)
BULK_BATCH = 1_000


def apply(report, user, conflict_policy=KEEP):
    """Save the report's films for ``user`` in one transaction and count what changed.

    Ratings equal to the member's are left alone, so importing a file twice changes
    nothing. A different rating is kept (``"keep"``) or replaced (``"overwrite"``).
    A rating keeps the file's date. A watch already in the diary on the same day
    is not logged twice; the watchlist takes only films not rated or logged.
    """
    if conflict_policy not in CONFLICT_POLICIES:
        raise ValueError(f"conflict_policy must be one of {CONFLICT_POLICIES}")
    now = timezone.now()
    wanted = {row.movie.pk: row for row in report.matched}
    with transaction.atomic():
        existing = existing_ratings(user)
        to_create, to_update = [], []
        unchanged = skipped = 0
        for movie_id, row in wanted.items():
            current = existing.get(movie_id)
            rating = Rating(
                user=user,
                movie_id=movie_id,
                value=row.value,
                rated_at=moment_of(row.rated_on) if row.rated_on else now,
            )
            if current is None:
                to_create.append(rating)
            elif current == row.value:
                unchanged += 1
            elif conflict_policy == OVERWRITE:
                to_update.append(rating)
            else:
                skipped += 1
        if to_update:
            Rating.objects.bulk_create(
                to_create + to_update,
                batch_size=BULK_BATCH,
                update_conflicts=True,
                unique_fields=["user", "movie"],
                update_fields=["value", "rated_at", "updated_at"],
            )
        elif to_create:
            # A rating saved from another tab since the preview wins over the file.
            Rating.objects.bulk_create(to_create, batch_size=BULK_BATCH, ignore_conflicts=True)
        watches = _save_watches(report, user)
        listed = _save_watchlist(report, user, seen=set(existing) | set(wanted))
        # bulk_create sends no signals: the films' figures are refreshed here.
        refresh_films(rating.movie_id for rating in to_create + to_update)
    return ApplyResult(
        created=len(to_create),
        updated=len(to_update),
        unchanged=unchanged,
        skipped=skipped,
        watches=watches,
        watchlist=listed,
    )


def _save_watches(report, user):
    if not report.watches:
        return 0
    days = logged_days(user)
    entries = []
    for row in report.watches:
        if (row.movie.pk, row.watched_on) in days:
            continue
        days.add((row.movie.pk, row.watched_on))
        entries.append(
            DiaryEntry(
                user=user,
                movie_id=row.movie.pk,
                watched_on=row.watched_on,
                rating=row.value,
                rewatch=row.rewatch,
                note=row.note,
            )
        )
    DiaryEntry.objects.bulk_create(entries, batch_size=BULK_BATCH)
    return len(entries)


def _save_watchlist(report, user, seen):
    if not report.watchlist:
        return 0
    seen = seen | {movie_id for movie_id, _ in logged_days(user)}
    entries = [
        ListEntry(user=user, movie_id=row.movie.pk, kind=ListEntry.Kind.WATCHLIST)
        for row in report.watchlist
        if row.movie.pk not in seen
    ]
    existing = set(
        ListEntry.objects.filter(user=user, kind=ListEntry.Kind.WATCHLIST).values_list(
            "movie_id", flat=True
        )
    )
    new = [entry for entry in entries if entry.movie_id not in existing]
    ListEntry.objects.bulk_create(new, batch_size=BULK_BATCH, ignore_conflicts=True)
    return len(new)
