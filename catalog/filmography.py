"""A person's films as their page shows them: roles, sections, "known for".

The page's films come with card data and the member's state (``user_rating``)
in a fixed number of queries; the recommender's order and predicted ratings
arrive through ``catalog.extensions`` (page ``person_detail``).
"""

from dataclasses import dataclass
from statistics import fmean

from catalog.models import Credit

KNOWN_FOR = 6
# "Known for" looks at the roles people remember: directing, writing and the
# first-billed cast, unless the person has no such role.
KNOWN_FOR_CAST_ORDER = 6
FILMOGRAPHY_SORTS = {
    "year": "Newest first",
    "popularity": "Most rated first",
}
UNSEEN_ROW = 12


ROLES = {"directed": "Directed", "written": "Written", "acted": "Acted in"}


@dataclass
class Filmography:
    movies: list  # every film, each with ``role_note`` ("Director · as Mr. Brown")
    role_counts: dict  # role key: number of films
    known_for: list
    known_for_department: str

    def with_role(self, role):
        return [movie for movie in self.movies if role in movie.roles] if role else self.movies


def _sort_key(sort):
    if sort == "popularity":
        return lambda movie: (-movie.rating_count, -movie.score, movie.pk)
    return lambda movie: (-(movie.year or 0), -movie.rating_count, movie.pk)


def filmography(person, movies_queryset, sort="year"):
    """``person``'s visible films from ``movies_queryset``, sorted by ``sort``.

    ``movies_queryset`` carries card data and the member's state. Each film gets
    ``roles`` (keys of ``ROLES``) and ``role_note``, so a film someone directed
    and wrote is listed once.
    """
    credits = list(
        Credit.objects.filter(person=person, movie__is_hidden=False)
        .order_by("order", "id")
        .values_list("movie_id", "kind", "job", "department", "character", "order")
    )
    movies = movies_queryset.in_bulk({credit[0] for credit in credits})
    notes, lead_ids = {}, set()
    for movie_id, kind, job, department, character, order in credits:
        movie = movies.get(movie_id)
        if movie is None:
            continue
        if kind == Credit.Kind.CAST:
            role, note = "acted", f"as {character}" if character else "Cast"
            if order < KNOWN_FOR_CAST_ORDER:
                lead_ids.add(movie_id)
        elif job == "Director":
            role, note = "directed", "Director"
            lead_ids.add(movie_id)
        elif department == "Writing":
            role, note = "written", job or "Writer"
            lead_ids.add(movie_id)
        else:
            continue
        roles = notes.setdefault(movie_id, {})
        roles.setdefault(role, []).append(note)
    listed = []
    for movie_id, roles in notes.items():
        movie = movies[movie_id]
        movie.roles = [role for role in ROLES if role in roles]
        movie.role_note = " · ".join(
            note for role in movie.roles for note in dict.fromkeys(roles[role])
        )
        listed.append(movie)
    listed.sort(key=_sort_key(sort if sort in FILMOGRAPHY_SORTS else "year"))
    role_counts = {role: sum(1 for movie in listed if role in movie.roles) for role in ROLES}
    candidates = [movie for movie in listed if movie.pk in lead_ids] or listed
    known_for = sorted(candidates, key=_sort_key("popularity"))[:KNOWN_FOR]
    most = max(ROLES, key=lambda role: role_counts[role]) if listed else None
    department = {"directed": "Directing", "written": "Writing", "acted": "Acting"}.get(most, "")
    return Filmography(listed, role_counts, known_for, department)


@dataclass(frozen=True)
class MemberAverage:
    mean: float
    count: int


def member_average(movies):
    """The member's mean rating of ``movies`` (their ``user_rating``), or None."""
    ratings = [movie.user_rating for movie in movies if movie.user_rating is not None]
    return MemberAverage(fmean(ratings), len(ratings)) if ratings else None


def unseen_best_first(movies, member_order=None, limit=UNSEEN_ROW):
    """The films the member has not rated nor dismissed: in ``member_order`` (the
    recommender's), else by community score."""
    unseen = {
        movie.pk: movie
        for movie in movies
        if movie.user_rating is None and not movie.is_not_interested
    }
    ordered = [unseen[pk] for pk in member_order or () if pk in unseen]
    listed = {movie.pk for movie in ordered}
    rest = sorted(
        (movie for pk, movie in unseen.items() if pk not in listed),
        key=lambda movie: (-movie.score, -movie.rating_count, movie.pk),
    )
    return (ordered + rest)[:limit]


def ranked_ids(movie_ids_by_score, member_order=None):
    """Ids for a page of films: the member's order first (films they have not rated),
    then the rest by community score."""
    if not member_order:
        return list(movie_ids_by_score)
    first = set(member_order)
    return list(member_order) + [pk for pk in movie_ids_by_score if pk not in first]


def movies_in_order(queryset, movie_ids):
    found = queryset.in_bulk(movie_ids)
    return [found[pk] for pk in movie_ids if pk in found]
