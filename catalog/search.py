"""Title search: accent- and case-insensitive, partial words, typos, a year narrows.

Both the query and ``Movie.search_text`` are normalized the same way in Python
(:func:`catalog.text.normalize`), so the database only compares plain ASCII.

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
from django.db.models import Case, IntegerField, Q, Value, When

from catalog.models import Movie
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


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    year: int | None


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
    queryset = Movie.objects.visible() if queryset is None else queryset
    parsed = parse_query(query)
    if not parsed.text:
        return []
    ids = []
    if parsed.year is not None:
        ids = _ranked_ids(queryset.filter(year=parsed.year), parsed.text, limit)
    if not ids:
        # No film of that year: the number may belong to the title ("Apollo 13").
        text = parsed.text if parsed.year is None else f"{parsed.text} {parsed.year}"
        ids = _ranked_ids(queryset, text, limit)
    movies = queryset.with_card_data().in_bulk(ids)
    return [movies[movie_id] for movie_id in ids if movie_id in movies]


def _ranked_ids(queryset, text, limit):
    exact = list(
        queryset.filter(_contains_every_word(text))
        .annotate(match_rank=_rank_of_match(text))
        .order_by("match_rank", "-rating_count", "id")
        .values_list("id", flat=True)[:limit]
    )
    if len(exact) >= limit or len(text) < 3:
        return exact
    near = _near_miss_ids(queryset.exclude(id__in=exact), text)
    return (exact + near)[:limit]


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


def _near_miss_ids(queryset, text):
    """Ids of titles that match ``text`` but for typos, closest and most rated first."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import TrigramWordSimilarity

        candidates = (
            queryset.annotate(similarity=TrigramWordSimilarity(text, "search_text"))
            .filter(similarity__gte=MIN_TRIGRAM_SIMILARITY)
            .order_by("-similarity", "-rating_count")
        )
    else:
        prefixes = Q()
        for word in text.split():
            prefixes |= Q(search_text__contains=word[:2])
        candidates = queryset.filter(prefixes).order_by("-rating_count")
    scored = []
    for movie_id, title_text, rating_count in candidates.values_list(
        "id", "search_text", "rating_count"
    )[:TRIGRAM_CANDIDATES]:
        score = typo_score(text, title_text)
        if score >= MIN_TYPO_SCORE:
            scored.append((-score, -rating_count, movie_id))
    scored.sort()
    return [movie_id for _, _, movie_id in scored]


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
