"""A person's films as their page shows them: roles, order, "known for", the member's figures.

A prolific actor can have hundreds of films, so the page reads every film as a
light row first (roles, year, popularity, the member's rating) and fetches card
data only for the films it shows: one page of the filmography, "Known for" and
"their films you haven't seen". The recommender's order and predicted ratings
arrive through ``catalog.extensions`` (page ``person_detail``).
"""

from dataclasses import dataclass
from statistics import fmean

from catalog import extensions
from catalog.models import Credit, Movie

KNOWN_FOR = 6
# "Known for" looks at the roles people remember: directing, writing and the
# first-billed cast, unless the person has no such role.
KNOWN_FOR_CAST_ORDER = 6
FILMOGRAPHY_SORTS = {
    "year": "Newest first",
    "popularity": "Most rated first",
}
ROLES = {"directed": "Directed", "written": "Written", "acted": "Acted in"}
UNSEEN_ROW = 12


@dataclass
class Entry:
    """One of the person's films, without its card data."""

    pk: int
    year: int | None
    rating_count: int
    score: float
    user_rating: float | None
    is_not_interested: bool
    roles: list  # keys of ROLES
    role_note: str  # "Director · Screenplay · as Mr. Brown"
    lead: bool  # directed, wrote or among the first-billed


@dataclass
class Filmography:
    entries: list  # every film, in the page's order
    role_counts: dict  # role key: number of films
    known_for: list  # entries, most rated lead roles first
    known_for_department: str

    def with_role(self, role):
        return [entry for entry in self.entries if role in entry.roles] if role else self.entries


def _sort_key(sort):
    if sort == "popularity":
        return lambda entry: (-entry.rating_count, -entry.score, entry.pk)
    return lambda entry: (-(entry.year or 0), -entry.rating_count, entry.pk)


def filmography(person, user, sort="year"):
    """``person``'s visible films as ``Entry`` rows sorted by ``sort``, in two queries.

    A film someone directed and wrote is one entry with both roles.
    """
    notes, lead_ids = {}, set()
    for movie_id, kind, job, department, character, order in (
        Credit.objects.filter(person=person, movie__is_hidden=False)
        .order_by("order", "id")
        .values_list("movie_id", "kind", "job", "department", "character", "order")
    ):
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
        notes.setdefault(movie_id, {}).setdefault(role, []).append(note)
    rows = extensions.with_member_state(Movie.objects.filter(pk__in=notes), user).values_list(
        "pk", "year", "rating_count", "score", "user_rating", "is_not_interested"
    )
    entries = []
    for pk, year, rating_count, score, user_rating, not_interested in rows:
        roles = [role for role in ROLES if role in notes[pk]]
        entries.append(
            Entry(
                pk=pk,
                year=year,
                rating_count=rating_count,
                score=score,
                user_rating=user_rating,
                is_not_interested=not_interested,
                roles=roles,
                role_note=" · ".join(
                    note for role in roles for note in dict.fromkeys(notes[pk][role])
                ),
                lead=pk in lead_ids,
            )
        )
    entries.sort(key=_sort_key(sort if sort in FILMOGRAPHY_SORTS else "year"))
    role_counts = {role: sum(1 for e in entries if role in e.roles) for role in ROLES}
    candidates = [entry for entry in entries if entry.lead] or entries
    most = max(ROLES, key=lambda role: role_counts[role]) if entries else None
    return Filmography(
        entries=entries,
        role_counts=role_counts,
        known_for=sorted(candidates, key=_sort_key("popularity"))[:KNOWN_FOR],
        known_for_department={"directed": "Directing", "written": "Writing"}.get(
            most, "Acting" if most else ""
        ),
    )


@dataclass(frozen=True)
class MemberAverage:
    mean: float
    count: int


def member_average(entries):
    """The member's mean rating of the films of ``entries``, or None."""
    ratings = [entry.user_rating for entry in entries if entry.user_rating is not None]
    return MemberAverage(fmean(ratings), len(ratings)) if ratings else None


def unseen_best_first(entries, member_order=None, seen=(), limit=UNSEEN_ROW):
    """Ids of the films the member has not rated, logged (``seen``) nor dismissed: in
    ``member_order`` (the recommender's), else by community score."""
    unseen = {
        entry.pk: entry
        for entry in entries
        if entry.user_rating is None and not entry.is_not_interested and entry.pk not in seen
    }
    ordered = [pk for pk in member_order or () if pk in unseen]
    listed = set(ordered)
    rest = sorted(
        (entry for pk, entry in unseen.items() if pk not in listed),
        key=lambda entry: (-entry.score, -entry.rating_count, entry.pk),
    )
    return (ordered + [entry.pk for entry in rest])[:limit]


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
