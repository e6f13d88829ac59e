""" "Members who loved this also loved": films the site's own members love together.

From members' ratings only (MovieLens's training ratings feed the model's
"more like this" instead). A member *loves* a film they rated ``LOVED`` stars
or more. The row appears once ``MIN_LOVERS`` members love the film and at
least ``MIN_FILMS`` other films are each loved by ``MIN_SHARED`` of them; below
that the film page shows only the model's similar films. Films are ranked by
how many of the film's lovers love them, then by community score.

Registered with ``catalog.extensions`` for the film page.
"""

from django.db.models import Count

from catalog.models import Movie
from ratings.member_state import discoverable_by, with_member_state
from ratings.models import Rating

LOVED = 4.0
MIN_LOVERS = 5
MIN_SHARED = 2
MIN_FILMS = 3
ROW_LENGTH = 12


def also_loved_ids(movie, limit=ROW_LENGTH):
    """Ids of the films ``movie``'s lovers love most, or [] while too few love it."""
    lovers = Rating.objects.filter(movie=movie, value__gte=LOVED).order_by().values("user_id")
    if lovers.count() < MIN_LOVERS:
        return []
    loved_together = (
        Rating.objects.filter(user_id__in=lovers, value__gte=LOVED, movie__is_hidden=False)
        .exclude(movie=movie)
        .values("movie_id")
        .annotate(lovers=Count("user_id"))
        .filter(lovers__gte=MIN_SHARED)
        .order_by("-lovers", "-movie__score", "movie_id")
        .values_list("movie_id", flat=True)[:limit]
    )
    ids = list(loved_together)
    return ids if len(ids) >= MIN_FILMS else []


def movie_detail_extras(request, movie):
    """The film page's "Members who loved this also loved" row (empty below the threshold)."""
    ids = also_loved_ids(movie)
    if not ids:
        return {"members_also_loved": []}
    films = with_member_state(discoverable_by(Movie.objects.all(), request.user), request.user)
    found = films.in_bulk(ids)
    return {"members_also_loved": [found[pk] for pk in ids if pk in found]}
