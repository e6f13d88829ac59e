"""A member's taste in numbers: what the taste page shows, from their ratings.

Everything comes from the member's own ratings of films the site shows, in a
fixed number of queries whatever their number: one for the ratings with their
films' community figures, one each for genres, directors and actors.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.db.models import Avg, Count
from django.urls import reverse

from catalog.models import Credit, Person
from ratings.models import HALF_STARS, Rating

TOP = 8
# Averages need a few films behind them, or one film makes a favourite.
MIN_FILMS_FOR_GENRE_AVERAGE = 3
MIN_FILMS_FOR_PERSON_AVERAGE = 2
# Actors count by their billed roles, not walk-ons.
TOP_BILLED = 5
# A film's community mean needs this many other ratings to disagree with.
MIN_COMMUNITY_RATINGS = 10
FURTHEST = 10
MONTHLY_UP_TO = 24  # months; longer spans are shown by year


@dataclass(frozen=True)
class Group:
    """A genre, director or actor among the member's ratings."""

    name: str
    count: int
    average: float
    url: str = ""


@dataclass(frozen=True)
class Disagreement:
    movie_id: int
    title: str
    year: int | None
    url: str
    rating: float
    community_mean: float
    community_count: int

    @property
    def difference(self):
        return self.rating - self.community_mean


@dataclass
class Taste:
    rating_count: int
    mean: float | None
    histogram: list  # the member's ratings per half star
    community_histogram: list  # other people's ratings of the same films
    over_time: list  # (label, count), oldest first
    over_time_unit: str  # "month" or "year"
    decades: list  # (decade, count, average), oldest first
    genres_by_count: list
    genres_by_average: list
    directors_by_count: list
    directors_by_average: list
    actors_by_count: list
    actors_by_average: list
    furthest: list  # Disagreement, furthest first


def taste_of(user):
    """The member's ``Taste``; ``rating_count`` 0 when they rated nothing yet."""
    ratings = Rating.objects.for_user(user).of_visible_movies()
    rows = list(
        ratings.order_by("rated_at").values_list(
            "value",
            "rated_at",
            "movie_id",
            "movie__title",
            "movie__year",
            "movie__rating_histogram",
        )
    )
    histogram = [0] * len(HALF_STARS)
    community = [0] * len(HALF_STARS)
    decades = {}
    furthest = []
    for value, _, movie_id, title, year, film_histogram in rows:
        index = HALF_STARS.index(value)
        histogram[index] += 1
        others = list(film_histogram or [0] * len(HALF_STARS))
        # The film's figures count the member's own rating: leave it out.
        others[index] = max(others[index] - 1, 0)
        for i, count in enumerate(others):
            community[i] += count
        if year:
            decades.setdefault(year - year % 10, []).append(value)
        other_count = sum(others)
        if other_count >= MIN_COMMUNITY_RATINGS:
            other_mean = sum(n * s for n, s in zip(others, HALF_STARS, strict=True)) / other_count
            furthest.append(
                Disagreement(
                    movie_id,
                    title,
                    year,
                    reverse("catalog:movie_detail", args=[movie_id]),
                    value,
                    other_mean,
                    other_count,
                )
            )
    furthest.sort(key=lambda d: (-abs(d.difference), d.title))
    over_time, unit = _over_time([created for _, created, *_ in rows])
    genres = _groups(
        ratings.values("movie__genres__name", "movie__genres__slug"),
        name="movie__genres__name",
        url=lambda row: f"/browse/?genre={row['movie__genres__slug']}",
    )
    directors = _groups(
        ratings.filter(movie__credits__kind=Credit.Kind.CREW, movie__credits__job="Director")
        .values("movie__credits__person_id", "movie__credits__person__name")
        .order_by(),
        name="movie__credits__person__name",
        person="movie__credits__person_id",
    )
    actors = _groups(
        ratings.filter(movie__credits__kind=Credit.Kind.CAST, movie__credits__order__lt=TOP_BILLED)
        .values("movie__credits__person_id", "movie__credits__person__name")
        .order_by(),
        name="movie__credits__person__name",
        person="movie__credits__person_id",
    )
    return Taste(
        rating_count=len(rows),
        mean=sum(row[0] for row in rows) / len(rows) if rows else None,
        histogram=histogram,
        community_histogram=community,
        over_time=over_time,
        over_time_unit=unit,
        decades=[
            (decade, len(values), sum(values) / len(values))
            for decade, values in sorted(decades.items())
        ],
        genres_by_count=_by_count(genres),
        genres_by_average=_by_average(genres, MIN_FILMS_FOR_GENRE_AVERAGE),
        directors_by_count=_by_count(directors),
        directors_by_average=_by_average(directors, MIN_FILMS_FOR_PERSON_AVERAGE),
        actors_by_count=_by_count(actors),
        actors_by_average=_by_average(actors, MIN_FILMS_FOR_PERSON_AVERAGE),
        furthest=furthest[:FURTHEST],
    )


def _groups(values, *, name, url=None, person=None):
    """``Group``s from ratings grouped by ``values``: how many, and their mean."""
    groups = []
    rows = values.annotate(count=Count("id", distinct=True), average=Avg("value"))
    for row in rows:
        if row[name] is None:
            continue
        if person:
            link = Person(pk=row[person], name=row[name]).get_absolute_url()
        else:
            link = url(row) if url else ""
        groups.append(Group(row[name], row["count"], row["average"], link))
    return groups


def _by_count(groups):
    return sorted(groups, key=lambda g: (-g.count, -g.average, g.name))[:TOP]


def _by_average(groups, min_count):
    enough = [group for group in groups if group.count >= min_count]
    return sorted(enough, key=lambda g: (-g.average, -g.count, g.name))[:TOP]


def _over_time(times):
    """Ratings per month (per year past ``MONTHLY_UP_TO`` months), gaps filled with 0."""
    if not times:
        return [], "month"
    first, last = times[0].date(), times[-1].date()
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months <= MONTHLY_UP_TO:
        counts = Counter((t.year, t.month) for t in times)
        buckets = []
        year, month = first.year, first.month
        for _ in range(months):
            label = date(year, month, 1).strftime("%b %Y")
            buckets.append((label, counts[(year, month)]))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return buckets, "month"
    counts = Counter(t.year for t in times)
    return [(str(year), counts[year]) for year in range(first.year, last.year + 1)], "year"
