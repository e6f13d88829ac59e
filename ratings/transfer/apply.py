"""Saving an import report's ratings for the member, in one transaction."""

from django.db import transaction

from ratings.aggregates import refresh_films
from ratings.models import Rating
from ratings.transfer.report import ApplyResult, existing_ratings

KEEP = "keep"
OVERWRITE = "overwrite"
CONFLICT_POLICIES = (KEEP, OVERWRITE)
BULK_BATCH = 1_000


def apply(report, user, conflict_policy=KEEP):
    """Save the report's ratings for ``user`` in one transaction and count what changed.

    Ratings equal to the member's are left alone, so importing a file twice changes
    nothing. A different rating is kept (``"keep"``) or replaced (``"overwrite"``).
    """
    if conflict_policy not in CONFLICT_POLICIES:
        raise ValueError(f"conflict_policy must be one of {CONFLICT_POLICIES}")
    wanted = {row.movie.pk: row.value for row in report.matched}
    with transaction.atomic():
        existing = existing_ratings(user)
        to_create, to_update = [], []
        unchanged = skipped = 0
        for movie_id, value in wanted.items():
            current = existing.get(movie_id)
            if current is None:
                to_create.append(Rating(user=user, movie_id=movie_id, value=value))
            elif current == value:
                unchanged += 1
            elif conflict_policy == OVERWRITE:
                to_update.append(Rating(user=user, movie_id=movie_id, value=value))
            else:
                skipped += 1
        if to_update:
            Rating.objects.bulk_create(
                to_create + to_update,
                batch_size=BULK_BATCH,
                update_conflicts=True,
                unique_fields=["user", "movie"],
                update_fields=["value", "updated_at"],
            )
        elif to_create:
            # A rating saved from another tab since the preview wins over the file.
            Rating.objects.bulk_create(to_create, batch_size=BULK_BATCH, ignore_conflicts=True)
        # bulk_create sends no signals: the films' figures are refreshed here.
        refresh_films(rating.movie_id for rating in to_create + to_update)
    return ApplyResult(
        created=len(to_create), updated=len(to_update), unchanged=unchanged, skipped=skipped
    )
