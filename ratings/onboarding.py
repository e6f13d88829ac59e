"""Films for a newcomer to rate: well-known films across genres, a genre's best known, or a search.

Each way of choosing returns one page of film ids and whether there is a next
page, so the onboarding page can offer "More films" with a plain link.
"""

from catalog.models import Genre, Movie
from catalog.search import search_movies
from ratings.member_state import discoverable_by

TARGET = 10
MIX_GENRES = 10
MIX_PER_GENRE = 5
FILMS_PER_PAGE = 40
# Pages past this are far from "well known"; the genre choices and search remain.
MAX_PAGE = 20


def films_to_rate(user, *, genre=None, query="", page=1):
    """``(film ids, has_more)`` for page ``page`` of the films ``user`` is offered."""
    candidates = discoverable_by(Movie.objects.all(), user)
    if query:
        return _search_page(candidates, query, page)
    if genre is not None:
        return _page_of(candidates.filter(genres=genre).popular(), page)
    return _mixed_page(candidates, page)


def genre_choices():
    """Genres that have films, by name."""
    return Genre.objects.exclude(movies=None).order_by("name")


def _page_of(queryset, page):
    start = (page - 1) * FILMS_PER_PAGE
    ids = list(queryset.values_list("id", flat=True)[start : start + FILMS_PER_PAGE + 1])
    return ids[:FILMS_PER_PAGE], len(ids) > FILMS_PER_PAGE and page < MAX_PAGE


def _search_page(candidates, query, page):
    found = search_movies(query, limit=page * FILMS_PER_PAGE + 1, queryset=candidates)
    start = (page - 1) * FILMS_PER_PAGE
    ids = [movie.pk for movie in found[start : start + FILMS_PER_PAGE + 1]]
    return ids[:FILMS_PER_PAGE], len(ids) > FILMS_PER_PAGE and page < MAX_PAGE


def _mixed_page(candidates, page):
    """The most rated films of each large genre, each film once: well known and varied.

    Page ``n`` holds the films that join when each genre may give ``n`` times
    ``MIX_PER_GENRE`` films instead of one fewer share, so pages never repeat a film.
    """
    genres = Genre.objects.largest(MIX_GENRES)
    rows = list(
        candidates.filter(genres__in=list(genres))
        .popular()
        .values_list("id", "genres__id")[: MIX_GENRES * MIX_PER_GENRE * (page + 1) * 20]
    )
    earlier = set(_mix(rows, MIX_PER_GENRE * (page - 1)))
    picked = [movie_id for movie_id in _mix(rows, MIX_PER_GENRE * page) if movie_id not in earlier]
    later = _mix(rows, MIX_PER_GENRE * (page + 1))
    has_more = page < MAX_PAGE and any(
        movie_id not in earlier and movie_id not in picked for movie_id in later
    )
    return picked, has_more


def _mix(rows, per_genre):
    """Film ids from ``(film, genre)`` rows, most rated first, at most ``per_genre`` a genre."""
    picked, seen, counts = [], set(), {}
    for movie_id, genre_id in rows:
        if movie_id in seen or counts.get(genre_id, 0) >= per_genre:
            continue
        picked.append(movie_id)
        seen.add(movie_id)
        counts[genre_id] = counts.get(genre_id, 0) + 1
    return picked
