"""A member's changes to a film: rate it, put it on a list or take it off.

The action views and a visitor's pending action (applied once they log in)
both change films through these functions, so both follow the same rules.
"""

from django.db import transaction
from django.utils import timezone

from ratings.models import HALF_STARS, ListEntry, Rating

LIST_MESSAGES = {
    ListEntry.Kind.FAVORITE: ("Added to your favorites.", "Removed from your favorites."),
    ListEntry.Kind.WATCHLIST: ("Added to your watchlist.", "Removed from your watchlist."),
    ListEntry.Kind.NOT_INTERESTED: (
        "Hidden: we won't suggest this film again.",
        "Shown again in your suggestions.",
    ),
}


def parse_stars(raw_value):
    """``"4.5"`` → ``4.5``; ``None`` for anything that is not 0.5–5 in half steps."""
    try:
        value = float(raw_value)
    except (TypeError, ValueError):
        return None
    return value if value in HALF_STARS else None


def rate_movie(user, movie, value):
    """Rate ``movie`` ``value`` stars; a film you have rated leaves your watchlist.

    Returns the message for the member.
    """
    with transaction.atomic():
        Rating.objects.update_or_create(
            user=user, movie=movie, defaults={"value": value, "rated_at": timezone.now()}
        )
        # Rated means seen, as on Letterboxd: the watchlist is for films still to see.
        left_watchlist, _ = ListEntry.objects.filter(
            user=user, movie=movie, kind=ListEntry.Kind.WATCHLIST
        ).delete()
    message = f"You rated {movie.title} ★{value:g}"
    if left_watchlist:
        return f"{message} — removed from your watchlist."
    return f"{message}."


def unrate_movie(user, movie):
    Rating.objects.filter(user=user, movie=movie).delete()
    return f"Rating for {movie.title} removed."


def set_on_list(user, movie, kind, on):
    """Put ``movie`` on the ``kind`` list or take it off; repeating is harmless."""
    added, removed = LIST_MESSAGES[kind]
    if on:
        ListEntry.objects.get_or_create(user=user, movie=movie, kind=kind)
        return added
    ListEntry.objects.filter(user=user, movie=movie, kind=kind).delete()
    return removed
