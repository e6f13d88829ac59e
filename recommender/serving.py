"""Recommendations for site members, computed per request from the serving model.

Each web worker keeps the serving model memory-mapped and checks every few
seconds whether another version was published, switching without a restart.
A member's current ratings are folded in on every request, so a new rating
changes the next page; what they rated in this sitting counts more (the recency
weights, with ages from the request), and that fades within hours. With few
ratings the list blends from popularity into personal results.
"""

import dataclasses
import hashlib
import logging
import threading
import time
from dataclasses import dataclass

import numpy as np
from django.conf import settings
from django.core.cache import cache
from django.db.models import Q

from catalog.models import Credit, Movie
from catalog.page_cache import catalog_generation
from ratings.member_state import with_member_state
from ratings.models import DiaryEntry, ListEntry, Rating
from recommender import artifacts, content
from recommender.factorization import (
    CONTENT_BELOW_COUNT,
    ages_from_times,
    explain,
    fold_in_user,
    predict_ratings,
    rank_for_user,
    recency_settled_days,
    score_items,
    similar_items,
    top_contributors,
    top_n,
)
from recommender.models import ModelVersion

logger = logging.getLogger(__name__)

VERSION_CHECK_SECONDS = 10
# Below this many ratings a member's list is part popularity, part personal.
PERSONAL_AFTER = 5
# Popularity ↔ obscurity: the most relevant films are re-ranked by score × count ** shift
# (recommender.list_quality measures each step's median rating count).
POPULARITY_SHIFTS = {-2: -1.0, -1: -0.4, 0: 0.0, 1: 0.3, 2: 0.6}
POOL_PER_RESULT = 4
# Towards obscure, films count as rated at least this often: one or two ratings
# are not a hidden gem, they are too little to go on.
OBSCURE_MIN_COUNT = 10
MIN_POOL = 150
# A reason may share a person: the director or one of the first this many billed.
KEY_CAST = 5
# "Sort by predicted rating" orders this many of the best films by their prediction.
PREDICTED_SORT_POOL = 200
# A member's ranked list (film ids, predictions, reasons) is kept in the shared
# cache under a digest of everything it is computed from, so it is never stale:
# a new rating, list change, model version or catalog change makes a different key.
RANKED_CACHE_SECONDS = 15 * 60


@dataclass
class Filters:
    """What a member asks of their recommendations (all optional)."""

    genres: tuple = ()  # Genre ids a film must have one of (all of, with all_genres)
    all_genres: bool = False
    exclude_genres: tuple = ()  # Genre ids a film must have none of
    year_from: int | None = None
    year_to: int | None = None
    popularity: int = 0  # -2 obscure … 2 popular
    min_ratings: int = 0
    include_watchlist: bool = False
    sort: str = ""  # "" the site's order, "predicted" by predicted rating


@dataclass
class Recommendation:
    movie: Movie
    predicted_rating: float | None
    because: Movie | None
    because_rating: float | None
    score: float


class ModelCache:
    """The serving model of this process, reloaded when another version is published.

    A version whose artifact is refused is remembered and not tried again: its
    folder never changes, and one log line per version says why.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._bundle = None
        self._name = None
        self._refused = None
        self._checked_at = 0.0

    @property
    def name(self):
        """The name of the version being served (None before ``get`` loads one)."""
        return self._name

    def get(self):
        """The serving bundle, or None when no model was trained yet."""
        now = time.monotonic()
        if now - self._checked_at < VERSION_CHECK_SECONDS:
            return self._bundle
        with self._lock:
            if now - self._checked_at < VERSION_CHECK_SECONDS:
                return self._bundle
            self._checked_at = now
            version = ModelVersion.objects.filter(is_serving=True).values_list("name", flat=True)
            name = version.first()
            if name and name not in (self._name, self._refused):
                try:
                    self._bundle = artifacts.load_bundle(settings.MODEL_DIR / name)
                    self._name = name
                    logger.info("Serving model %s", name)
                except artifacts.ArtifactError as error:
                    # Keep serving the previous model rather than failing pages.
                    self._refused = name
                    logger.error(
                        "Model %s refused, still serving %s: %s",
                        name,
                        self._name or "no model",
                        " ".join(str(error).split()),
                    )
            elif not name:
                self._bundle, self._name = None, None
            return self._bundle

    def reset(self):
        with self._lock:
            self._bundle, self._name, self._refused, self._checked_at = None, None, None, 0.0


model_cache = ModelCache()


def _user_rating_rows(user):
    """The member's ratings as (film id, rating, Unix time) rows."""
    rows = Rating.objects.for_user(user).values_list("movie_id", "value", "rated_at")
    return [(movie_id, value, rated_at.timestamp()) for movie_id, value, rated_at in rows]


def _user_ratings(user):
    """The member's rated film ids, ratings and the ratings' ages in days."""
    return _arrays_from_rows(_user_rating_rows(user))


def _arrays_from_rows(rows, now=None):
    """Film ids, ratings and the ratings' ages in days at ``now`` (default: this moment).

    Ages count from now, not from the member's newest rating: the recency weights
    favour what they rated in this sitting, and a list asked for the next day is
    the plain one.
    """
    if not rows:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32), None
    movie_ids, values, times = zip(*rows, strict=True)
    ages = ages_from_times(times, now=time.time() if now is None else now)
    return np.array(movie_ids, dtype=np.int64), np.array(values, dtype=np.float32), ages


def _profile(bundle, user):
    """The member folded into the serving model, and every film id they rated."""
    return _profile_from_rows(bundle, _user_rating_rows(user))


def _profile_from_rows(bundle, rows, now=None):
    movie_ids, values, ages = _arrays_from_rows(rows, now)
    rated_items, known = bundle.item_indices(movie_ids)
    profile = fold_in_user(
        bundle.model, rated_items, values[known], None if ages is None else ages[known]
    )
    return profile, movie_ids


def member_profile(bundle, user):
    """``user`` folded into ``bundle``'s model, as their own list folds them in."""
    return _profile(bundle, user)[0]


def filter_mask(bundle, filters):
    """Items of ``bundle`` that ``filters`` rule out (True = excluded)."""
    return _filter_mask(bundle, filters)


def excluded_movie_ids(user, include_watchlist=False):
    """Film ids ``user``'s own list leaves out besides their ratings (and staff's hidden films)."""
    return _excluded_movie_ids(user, include_watchlist)


def _excluded_movie_ids(user, include_watchlist):
    kinds = [ListEntry.Kind.NOT_INTERESTED]
    if not include_watchlist:
        kinds.append(ListEntry.Kind.WATCHLIST)
    # Both sides unordered: SQLite refuses ORDER BY inside a compound SELECT.
    listed = (
        ListEntry.objects.for_user(user).filter(kind__in=kinds).order_by().values_list("movie_id")
    )
    hidden = Movie.objects.filter(is_hidden=True).order_by().values_list("id")
    # A film in the diary has been seen, rated or not.
    logged = DiaryEntry.objects.for_user(user).order_by().values_list("movie_id")
    return np.array([row[0] for row in listed.union(hidden, logged)], dtype=np.int64)


def _filter_mask(bundle, filters):
    """Items the filters rule out (True = excluded)."""
    excluded = np.zeros(bundle.n_items, dtype=bool)
    if filters.genres:
        wanted = bundle.genre_bits(set(filters.genres))
        if filters.all_genres:
            excluded |= (bundle.genre_masks & wanted) != wanted
        else:
            excluded |= (bundle.genre_masks & wanted) == 0
    if filters.exclude_genres:
        excluded |= (bundle.genre_masks & bundle.genre_bits(set(filters.exclude_genres))) != 0
    if filters.year_from:
        excluded |= bundle.years < filters.year_from
    if filters.year_to:
        excluded |= (bundle.years > filters.year_to) | (bundle.years == 0)
    if filters.min_ratings:
        excluded |= bundle.model.item_counts < filters.min_ratings
    return excluded


def recommend_for(user, n=50, filters=None):
    """Top-``n`` recommendations for ``user``, each with a predicted rating and a reason."""
    bundle = model_cache.get()
    if bundle is None:
        return []
    filters = filters or Filters()
    rows = _user_rating_rows(user)
    listed = _excluded_movie_ids(user, filters.include_watchlist) if user.is_authenticated else []
    clock = recency_clock(bundle.model, rows)
    key = _ranked_key(model_cache.name, rows, listed, filters, n, clock)
    ranked = cache.get(key)
    if ranked is None:
        ranked = _ranked_list(bundle, rows, listed, filters, n, clock)
        cache.set(key, ranked, RANKED_CACHE_SECONDS)
    return _with_movies(user, ranked)


def recency_clock(model, rows, now=None):
    """The time a member's list is computed at, or None once their ratings have settled.

    While the newest rating is young its recency weight fades, so the list
    depends on the clock: it is computed at the end of the current step of a
    twelfth of the half-life (10 minutes at 2 hours; weights move under 6 %
    within one), and the step is part of the ranked list's key. The end, not
    the start, so that every rating made so far has its age and their order.
    Once every rating is older than ``recency_settled_days`` the list no longer
    changes with time and is computed at the moment it is asked for.
    """
    settled = recency_settled_days(model) * 86_400
    now = time.time() if now is None else now
    if not rows or not settled or now - max(row[2] for row in rows) >= settled:
        return None
    step = model.params["recency_half_life_days"] * 86_400 / 12
    return (now // step + 1) * step


def _ranked_key(model_name, rows, listed, filters, n, clock=None):
    """A digest of every input of a member's ranked list."""
    digest = hashlib.blake2b(digest_size=16)
    # The catalog generation covers what reasons read from the catalog (credits).
    digest.update(
        repr((model_name, catalog_generation(), n, dataclasses.astuple(filters), clock)).encode()
    )
    digest.update(repr(sorted(rows)).encode())
    digest.update(np.sort(np.asarray(listed, dtype=np.int64)).tobytes())
    return f"recommender:ranked:{digest.hexdigest()}"


def _ranked_list(bundle, rows, listed, filters, n, clock=None):
    """The ranked list as plain data: (film id, score, prediction, because id, because rating)."""
    profile, movie_ids = _profile_from_rows(bundle, rows, clock)
    excluded = _filter_mask(bundle, filters)
    excluded_items, _ = bundle.item_indices(listed)
    excluded[excluded_items] = True
    # Ratings of films the model does not know still must not come back.
    excluded[bundle.item_indices(movie_ids)[0]] = True
    by_prediction = filters.sort == "predicted" and len(profile.item_indices)
    pool = max(n, PREDICTED_SORT_POOL) if by_prediction else n
    items, scores, predictions = _ranked(bundle, profile, pool, excluded, filters.popularity)
    if by_prediction:
        order = np.argsort(-predictions, kind="stable")[:n]
        items, scores, predictions = items[order], scores[order], predictions[order]
    if len(items) == 0:
        return []
    # Without ratings there is nothing to predict from.
    predictions = predictions.tolist() if len(profile.item_indices) else [None] * len(items)
    reasons = _reasons(bundle, profile, items.tolist())
    rating_of_item = dict(zip(profile.item_indices.tolist(), profile.ratings.tolist(), strict=True))
    ranked = []
    for movie_id, score, prediction, reason in zip(
        bundle.movie_ids[items].tolist(), scores.tolist(), predictions, reasons, strict=True
    ):
        because_id = because_rating = None
        if reason:
            because_id = int(bundle.movie_ids[reason[0]])
            because_rating = rating_of_item.get(reason[0])
        ranked.append((movie_id, score, prediction, because_id, because_rating))
    return ranked


def _with_movies(user, ranked):
    """Attach films (with card data and the member's state) and reasons' films."""
    if not ranked:
        return []
    movie_ids = [row[0] for row in ranked]
    because_ids = {row[3] for row in ranked if row[3] is not None}
    movies = with_member_state(Movie.objects.visible().with_card_data(), user).in_bulk(movie_ids)
    because_movies = Movie.objects.only("id", "title", "year").in_bulk(because_ids)
    results = []
    for movie_id, score, prediction, because_id, because_rating in ranked:
        movie = movies.get(movie_id)
        if movie is None:
            continue
        because = because_movies.get(because_id) if because_id is not None else None
        results.append(Recommendation(movie, prediction, because, because_rating, score))
    return results


def _ranked(bundle, profile, n, excluded, popularity):
    """Items, scores and predicted ratings of the member's list, in page order."""
    model = bundle.model
    shift = POPULARITY_SHIFTS.get(popularity, 0.0)
    exclude = np.flatnonzero(excluded)
    n_rated = len(profile.item_indices)
    if n_rated >= PERSONAL_AFTER:
        return rank_for_user(model, profile, n=n, exclude=exclude, popularity_shift=shift)
    counts = np.maximum(model.item_counts, 1).astype(np.float32)
    popular = np.log1p(counts)
    popular /= popular.max()
    if n_rated:
        personal = np.maximum(score_items(model, profile), 0)
        personal /= max(float(personal.max()), 1e-12)
        # With few ratings, popularity carries the list and fades out as they arrive.
        weight = min(1.0, n_rated / PERSONAL_AFTER)
        scores = weight * personal + (1 - weight) * popular
    else:
        scores = popular
    scores[exclude] = -np.inf
    scores[profile.item_indices] = -np.inf
    scores[model.untrained_items] = -np.inf
    if shift:
        # The popularity ↔ obscurity control re-ranks the most relevant films by
        # how often they were rated; outside that pool it would surface noise.
        pool = top_n(scores, max(POOL_PER_RESULT * n, MIN_POOL))
        pool_counts = counts[pool] if shift > 0 else np.maximum(counts[pool], OBSCURE_MIN_COUNT)
        reranked = scores[pool] * pool_counts**shift
        order = np.argsort(-reranked, kind="stable")[:n]
        top, top_scores = pool[order], reranked[order]
    else:
        top = top_n(scores, n)
        top_scores = scores[top]
    return top, top_scores, predict_ratings(model, profile, top)


def _reasons(bundle, profile, items):
    """Each item's "because you rated" film: a top contributor sharing a genre or a
    person with it (see ``model.explain``), or None."""
    model = bundle.model
    genres = bundle.genre_masks

    def sharing_genre(item):
        return lambda rated: bool(genres[rated] & genres[item])

    reasons = {item: explain(model, profile, item, sharing_genre(item)) for item in items}
    missing = [item for item, reason in reasons.items() if reason is None]
    if missing and len(profile.item_indices):
        # People only for the few cards genres could not explain: one small query.
        leaders = {
            rated for item in missing for rated, _ in top_contributors(model, profile, item, n=3)
        }
        people = _key_people(bundle, {*missing, *leaders})
        for item in missing:
            cast = people.get(item, set())
            reasons[item] = explain(
                model,
                profile,
                item,
                lambda rated, item=item, cast=cast: (
                    sharing_genre(item)(rated) or bool(cast & people.get(rated, set()))
                ),
            )
    return [reasons[item] for item in items]


def _key_people(bundle, item_indices):
    """Directors and the first-billed cast of the given items, as person id sets."""
    item_of_movie = {int(bundle.movie_ids[item]): item for item in item_indices}
    credits = Credit.objects.filter(movie_id__in=item_of_movie).filter(
        Q(kind=Credit.Kind.CREW, job="Director") | Q(kind=Credit.Kind.CAST, order__lt=KEY_CAST)
    )
    people = {}
    for movie_id, person_id in credits.values_list("movie_id", "person_id"):
        people.setdefault(item_of_movie[movie_id], set()).add(person_id)
    return people


def predicted_rating(user, movie):
    """The rating ``user`` would likely give ``movie`` (None without a model or ratings)."""
    return prediction_and_contributors(user, movie, n=0)[0]


def prediction_and_contributors(user, movie, n=3):
    """``predicted_rating`` and, when there is one, ``why_recommended``'s ``n`` ratings,
    from one fold-in of the member."""
    return film_predictions(user, movie, n=n)[:2]


def film_predictions(user, movie, others=(), n=3):
    """A film page's numbers from one fold-in of the member: ``movie``'s prediction,
    its ``n`` top contributing ratings, and ``{film id: prediction}`` for the films
    ``others`` the member has not rated (the page's "more like this")."""
    bundle = model_cache.get()
    if bundle is None or not user.is_authenticated:
        return None, [], {}
    profile, rated_ids = _profile(bundle, user)
    if not len(profile.item_indices):
        return None, [], {}
    unrated = np.setdiff1d(np.asarray(others, dtype=np.int64), rated_ids)
    items, known = bundle.item_indices(unrated)
    predicted = predict_ratings(bundle.model, profile, items).tolist() if len(items) else []
    others_predicted = dict(zip(unrated[known].tolist(), predicted, strict=True))
    target, target_known = bundle.item_indices([movie.pk])
    if not target_known.any():
        return None, [], others_predicted
    prediction = float(predict_ratings(bundle.model, profile, target)[0])
    contributors = _contributions(bundle, profile, int(target[0]), n) if n else []
    return prediction, contributors, others_predicted


@dataclass
class Contribution:
    movie: Movie
    rating: float
    share: float  # of the positive part of the film's score, 0–1

    @property
    def percent(self):
        return round(100 * self.share)


def why_recommended(user, movie, n=3):
    """The member's ``n`` ratings that speak most for ``movie``, biggest first."""
    bundle = model_cache.get()
    if bundle is None or not user.is_authenticated:
        return []
    target, target_known = bundle.item_indices([movie.pk])
    if not target_known.any():
        return []
    profile, _ = _profile(bundle, user)
    return _contributions(bundle, profile, int(target[0]), n)


def _contributions(bundle, profile, target, n):
    leaders = top_contributors(bundle.model, profile, target, n=n)
    rating_of_item = dict(zip(profile.item_indices.tolist(), profile.ratings.tolist(), strict=True))
    movies = Movie.objects.only("id", "title", "year").in_bulk(
        [int(bundle.movie_ids[item]) for item, _ in leaders]
    )
    return [
        Contribution(movies[int(bundle.movie_ids[item])], rating_of_item[item], share)
        for item, share in leaders
        if int(bundle.movie_ids[item]) in movies
    ]


def movie_ids_similar_to(movie, n=12):
    """Film ids for "more like this": other parts of its series first, then films liked
    together with it, blended with content similarity when it has few ratings."""
    bundle = model_cache.get()
    if bundle is None:
        return []
    # The same for every member: kept in the shared cache per model version and
    # catalog generation (content similarity reads the catalog).
    key = f"recommender:similar:{model_cache.name}:{catalog_generation()}:{movie.pk}:{n}"
    movie_ids = cache.get(key)
    if movie_ids is None:
        movie_ids = _similar_movie_ids(bundle, movie, n)
        cache.set(key, movie_ids, RANKED_CACHE_SECONDS)
    return movie_ids


def _similar_movie_ids(bundle, movie, n):
    items, known = bundle.item_indices([movie.pk])
    if not known.any() or bundle.model.item_counts[items[0]] == 0:
        return []
    item = int(items[0])
    by_content = None
    if bundle.model.item_counts[item] < CONTENT_BELOW_COUNT:
        by_content, _ = bundle.item_indices(content.similar_movie_ids(movie, n=n * 2))
    similar, _ = similar_items(
        bundle.model, item, n=n * 2, series=bundle.series, by_content=by_content
    )
    return bundle.movie_ids[similar].tolist()


@dataclass
class MemberRanking:
    movie_ids: list  # the films the member has not rated, best first
    predicted_ratings: dict  # film id: predicted stars


def rank_movies_for(user, movie_ids):
    """``movie_ids`` as the member's recommendations would order them, with predictions.

    Only films the member has not rated and the model knows are ranked; None
    without a model or ratings to fold in (pages keep their community order).
    """
    bundle = model_cache.get()
    if bundle is None or not user.is_authenticated or not len(movie_ids):
        return None
    profile, rated_ids = _profile(bundle, user)
    if not len(profile.item_indices):
        return None
    candidates = np.setdiff1d(np.asarray(movie_ids, dtype=np.int64), rated_ids)
    items, known = bundle.item_indices(candidates)
    order = np.argsort(-score_items(bundle.model, profile)[items], kind="stable")
    items = items[order]
    ranked_ids = candidates[known][order].tolist()
    predictions = predict_ratings(bundle.model, profile, items).tolist()
    return MemberRanking(ranked_ids, dict(zip(ranked_ids, predictions, strict=True)))
