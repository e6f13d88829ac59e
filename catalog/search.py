"""Search: films, people and tags; accent- and case-insensitive, partial words, typos.

Both the query and the ``search_text`` of films, people, TMDB keywords and
MovieLens tags are normalized the same way in Python
(:func:`catalog.text.normalize`), so the database only compares plain ASCII.
A trailing year narrows the films ("heat 1995").

Results come in two tiers.  First the titles that contain every word of the
query, best match first (exact title, then title prefix, then word prefix, then
anywhere), then by popularity.  Then, to tolerate typos, near misses: on
PostgreSQL the ``pg_trgm`` index proposes candidates, on SQLite (development
only) a cheap prefix filter does; each candidate is scored word by word with an
edit distance that counts a swap of two letters as one typo.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from django.db import connection
from django.db.models import Case, Count, F, IntegerField, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from catalog.models import Company, Keyword, Movie, MovieTag, Person, tag_url
from catalog.text import SEARCH_SEPARATOR, normalize

YEAR = re.compile(r"18[89]\d|19\d\d|20\d\d")
# The work one query can cause is bounded, whatever is typed: the first words
# find any title (longer queries are pasted text, not titles), and no title word
# is longer, so typo matching compares short words only.
MAX_QUERY_WORDS = 8
MAX_WORD_LENGTH = 20
# A candidate whose words are, on average, closer than this to the query's
# words counts as a typo of it (one typo in a six-letter word scores 0.83).
MIN_TYPO_SCORE = 0.75
TRIGRAM_CANDIDATES = 200
MIN_TRIGRAM_SIMILARITY = 0.3
# The rank of a match: 0 exact, 1 starts with the query, 2 a word starts with
# it, 3 contains it, 4 only with typos. The best rank in a group orders the groups.
TYPO_RANK = 4


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    year: int | None

    @property
    def whole_text(self):
        """The query with its year, for what has no year (people, tags)."""
        return f"{self.text} {self.year}" if self.year is not None else self.text


def parse_query(query):
    """Normalize the query, split off a trailing year ("heat 1995") and bound its size."""
    words = normalize(query).split()
    year = None
    if len(words) > 1 and YEAR.fullmatch(words[-1]):
        year = int(words.pop())
    text = " ".join(word[:MAX_WORD_LENGTH] for word in words[:MAX_QUERY_WORDS])
    return ParsedQuery(text, year)


def search_movies(query, limit=100, queryset=None):
    """Return up to ``limit`` movies matching ``query``, best first, with card data."""
    return [movie for movie, _ in _ranked_movies(parse_query(query), limit, queryset)]


def _ranked_movies(parsed, limit, queryset=None):
    """``[(movie, match rank)]``, best first."""
    queryset = Movie.objects.visible() if queryset is None else queryset
    if not parsed.text:
        return []
    candidates = queryset.annotate(popularity=F("rating_count"))
    ranked = []
    if parsed.year is not None:
        ranked = _ranked_keys(candidates.filter(year=parsed.year), parsed.text, limit)
    if not ranked:
        # No film of that year: the number may belong to the title ("Apollo 13").
        ranked = _ranked_keys(candidates, parsed.whole_text, limit)
    movies = queryset.with_card_data().in_bulk([movie_id for movie_id, _ in ranked])
    return [(movies[movie_id], rank) for movie_id, rank in ranked if movie_id in movies]


def search_people(query, limit=20):
    """People whose name matches ``query``, best match first, then the best known."""
    return [person for person, _ in _ranked_people(parse_query(query), limit)]


def _ranked_people(parsed, limit):
    if not parsed.text:
        return []
    # Best known: the most ratings of the films they are credited on.
    people = Person.objects.annotate(
        popularity=Coalesce(Sum("credits__movie__rating_count"), 0),
    )
    ranked = _ranked_keys(people, parsed.whole_text, limit)
    found = Person.objects.annotate(
        film_count=Count("credits__movie", distinct=True),
        directed=Count("credits", filter=Q(credits__job="Director")),
        acted=Count("credits", filter=Q(credits__kind="cast")),
    ).in_bulk([pk for pk, _ in ranked])
    for person in found.values():
        # What tells two people of one name apart in a list: what they mostly do.
        person.known_for = "Director" if person.directed >= max(person.acted, 1) else "Actor"
        if not person.directed and not person.acted:
            person.known_for = "Writer"
    return [(found[pk], rank) for pk, rank in ranked if pk in found]


TAG_KINDS = {"tag": "MovieLens tag", "keyword": "TMDB keyword", "company": "Studio"}


@dataclass(frozen=True)
class TagMatch:
    """A MovieLens tag, TMDB keyword or studio that search found, with its number of films."""

    name: str
    kind: str  # a key of TAG_KINDS
    film_count: int
    url: str

    @property
    def kind_label(self):
        return TAG_KINDS[self.kind]


def search_tags(query, limit=20):
    """MovieLens tags, TMDB keywords and studios matching ``query``, best first."""
    return [tag for tag, _ in _ranked_tags(parse_query(query), limit)]


def _ranked_tags(parsed, limit):
    if not parsed.text:
        return []
    text = parsed.whole_text
    tags = MovieTag.objects.values("tag", "search_text").annotate(
        popularity=Sum("count"), films=Count("movie_id")
    )
    tag_ranks = dict(_ranked_keys(tags, text, limit, key="tag"))
    tag_films = dict(tags.filter(tag__in=tag_ranks).order_by().values_list("tag", "films"))
    matches = [
        (TagMatch(tag, "tag", tag_films.get(tag, 0), tag_url(tag)), rank)
        for tag, rank in tag_ranks.items()
    ]
    for model, kind in ((Keyword, "keyword"), (Company, "company")):
        named = model.objects.annotate(popularity=Count("movies"))
        ranks = dict(_ranked_keys(named, text, limit))
        matches += [
            (TagMatch(found.name, kind, found.popularity, found.get_absolute_url()), ranks[pk])
            for pk, found in named.in_bulk(ranks).items()
        ]
    matches.sort(key=lambda match: (match[1], -match[0].film_count, match[0].name))
    return matches[:limit]


@dataclass(frozen=True)
class SearchResults:
    """What one query found, in groups; ``groups`` names them best match first."""

    films: list
    people: list
    tags: list
    groups: tuple

    def __bool__(self):
        return bool(self.films or self.people or self.tags)

    @property
    def tags_heading(self):
        return "Tags and studios" if any(tag.kind == "company" for tag in self.tags) else "Tags"


GROUP_ORDER = ("films", "people", "tags")


def search_everything(query, *, films=100, people=20, tags=20, queryset=None):
    """Films, people and tags matching ``query``; the group with the best match comes first."""
    parsed = parse_query(query)
    found = {
        "films": _ranked_movies(parsed, films, queryset),
        "people": _ranked_people(parsed, people),
        "tags": _ranked_tags(parsed, tags),
    }
    present = [name for name in GROUP_ORDER if found[name]]
    present.sort(key=lambda name: _group_rank(name, found[name]))
    return SearchResults(
        **{name: [item for item, _ in ranked] for name, ranked in found.items()},
        groups=tuple(present),
    )


def _group_rank(name, ranked):
    """A group's place: its best match, where a film title that starts with the query
    ("matrix" → "Matrix, The") counts as exact, so films lead unless another group
    matches clearly better ("tarantino" → the person, not a word inside a title)."""
    best = min(rank for _, rank in ranked)
    return 0 if name == "films" and best <= 1 else best


def _ranked_keys(queryset, text, limit, *, key="id"):
    """``[(key, match rank)]`` of the rows whose ``search_text`` matches ``text``.

    Rows with every word first (by rank of match, then ``popularity``), then near
    misses. ``queryset`` must have a ``popularity`` field or annotation.
    """
    exact = list(
        queryset.filter(_contains_every_word(text))
        .annotate(match_rank=_rank_of_match(text))
        .order_by("match_rank", "-popularity", key)
        .values_list(key, "match_rank")[:limit]
    )
    if len(exact) >= limit or len(text) < 3:
        return exact
    found = [found_key for found_key, _ in exact]
    near = _near_miss_keys(queryset.exclude(**{f"{key}__in": found}), text, key)
    return (exact + [(near_key, TYPO_RANK) for near_key in near])[:limit]


def _contains_every_word(text):
    condition = Q()
    for word in text.split():
        condition &= Q(search_text__contains=word)
    return condition


def _rank_of_match(text):
    """0 exact title, 1 title starts with the query, 2 a word starts with it, 3 other."""
    return Case(
        When(
            Q(search_text=text)
            | Q(search_text__startswith=f"{text}{SEARCH_SEPARATOR}")
            | Q(search_text__endswith=f"{SEARCH_SEPARATOR}{text}"),
            then=Value(0),
        ),
        When(
            Q(search_text__startswith=text) | Q(search_text__contains=f"{SEARCH_SEPARATOR}{text}"),
            then=Value(1),
        ),
        When(search_text__contains=f" {text}", then=Value(2)),
        default=Value(3),
        output_field=IntegerField(),
    )


def _near_miss_keys(queryset, text, key):
    """Keys of rows that match ``text`` but for typos, closest and most popular first."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramWordSimilarity

        candidates = (
            queryset.annotate(similarity=TrigramWordSimilarity(text, "search_text"))
            .filter(similarity__gte=MIN_TRIGRAM_SIMILARITY)
            .order_by("-similarity", "-popularity")
        )
    else:
        prefixes = Q()
        for word in text.split():
            prefixes |= Q(search_text__contains=word[:2])
        candidates = queryset.filter(prefixes).order_by("-popularity")
    scored = []
    for found_key, found_text, popularity in candidates.values_list(
        key, "search_text", "popularity"
    )[:TRIGRAM_CANDIDATES]:
        score = typo_score(text, found_text)
        if score >= MIN_TYPO_SCORE:
            scored.append((-score, -(popularity or 0), found_key))
    scored.sort()
    return [found_key for _, _, found_key in scored]


def typo_score(query_text, title_text):
    """Mean over query words of the best similarity to a title word (1 = every word found)."""
    title_words = set(title_text.replace("|", " ").split())
    if not title_words:
        return 0.0
    total = 0.0
    words = query_text.split()
    for word in words:
        total += max(_word_similarity(word, title_word) for title_word in title_words)
    return total / len(words)


@lru_cache(maxsize=8192)
def _word_similarity(word, title_word):
    if title_word.startswith(word):
        return 1.0
    # Compare with the title word cut to about the query word's length, so a
    # partial word with a typo ("godfahte") still matches "godfather".
    candidate = title_word[: len(word) + 1] if len(title_word) > len(word) + 1 else title_word
    longest = max(len(word), len(candidate))
    return 1.0 - _edit_distance(word, candidate) / longest


def _edit_distance(a, b):
    """Optimal-string-alignment distance: insertions, deletions, substitutions, swaps."""
    previous_previous = None
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if (
                previous_previous is not None
                and i > 1
                and j > 1
                and a[i - 1] == b[j - 2]
                and a[i - 2] == b[j - 1]
            ):
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        previous_previous, previous = previous, current
    return previous[len(b)]
