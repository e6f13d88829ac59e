"""Which of a page's films the member has seen without rating them: logged in their diary.

Registered with ``catalog.extensions`` for the person page, whose "their films
you haven't seen" leaves them out (a rated film is known from the card's state).
"""

from ratings.models import DiaryEntry


def seen_extras(request, movie_ids, **_objects):
    """``seen_movie_ids``: the films of ``movie_ids`` in the member's diary."""
    if not request.user.is_authenticated:
        return {}
    logged = DiaryEntry.objects.for_user(request.user).filter(movie_id__in=movie_ids)
    return {"seen_movie_ids": set(logged.values_list("movie_id", flat=True))}
