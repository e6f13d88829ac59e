"""Train the recommender on MovieLens + site ratings and publish it as a new version.

``train_and_publish`` is the one function behind ``manage.py train_recommender``
and the Celery task: it skips when the training data has not changed since the
serving model, otherwise trains, evaluates on a holdout of users, writes the
artifact, records a :class:`ModelVersion` and switches serving to it unless its
quality fell more than a tolerance below the serving model's.
"""

import hashlib
import logging
import tempfile
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from catalog.models import Genre, Movie
from catalog.page_cache import catalog_changed
from ratings.models import MovieLensRating, Rating
from recommender import artifacts, content
from recommender.model import (
    ModelParams,
    fold_in_user,
    params_for_size,
    recommend,
    train_model,
)
from recommender.models import ModelVersion

logger = logging.getLogger(__name__)

# Site members are coded after every MovieLens user; the two id spaces never meet.
SITE_USER_OFFSET = 1 << 40
KEEP_VERSIONS = 3
HOLDOUT_SHARE = 0.1
HOLDOUT_MAX_USERS = 1000
MIN_HOLDOUT_RATINGS = 10


@dataclass
class TrainingData:
    user_codes: np.ndarray  # int32
    item_codes: np.ndarray  # int32, index into movie_ids
    ratings: np.ndarray  # float32
    movie_ids: np.ndarray  # int64 Movie.pk of each item, ascending
    n_users: int
    fingerprint: str


@dataclass
class TrainingOutcome:
    version: ModelVersion | None
    published: bool
    message: str


def data_fingerprint():
    """A cheap digest that changes whenever the training ratings or the catalog change."""
    movielens = MovieLensRating.objects.aggregate(n=Count("pk"), total=Sum("rating"))
    site = Rating.objects.aggregate(n=Count("pk"), total=Sum("value"), last=Max("updated_at"))
    movies = Movie.objects.aggregate(n=Count("pk"), last=Max("id"))
    parts = [movielens, site, movies, ModelParams()]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def load_training_data(fingerprint=None):
    """Every training rating as coded arrays: MovieLens users, then site members."""
    fingerprint = fingerprint or data_fingerprint()
    movielens_sql = (
        f"SELECT r.movielens_user_id AS user_key, m.id AS movie, r.rating AS rating "
        f"FROM {MovieLensRating._meta.db_table} r "
        f"JOIN {Movie._meta.db_table} m ON m.movielens_id = r.movielens_movie_id"
    )
    site_sql = (
        f"SELECT user_id + {SITE_USER_OFFSET} AS user_key, movie_id AS movie, value AS rating "
        f"FROM {Rating._meta.db_table}"
    )
    frame = _read_query(f"{movielens_sql} UNION ALL {site_sql}")
    movie_ids, item_codes = np.unique(frame["movie"].to_numpy(), return_inverse=True)
    _, user_codes = np.unique(frame["user_key"].to_numpy(), return_inverse=True)
    return TrainingData(
        user_codes=user_codes.astype(np.int32),
        item_codes=item_codes.astype(np.int32),
        ratings=frame["rating"].to_numpy(dtype=np.float32),
        movie_ids=movie_ids.astype(np.int64),
        n_users=int(user_codes.max()) + 1 if len(user_codes) else 0,
        fingerprint=fingerprint,
    )


def _read_query(sql):
    """Run ``sql`` into a DataFrame without building a Python object per row."""
    dtypes = {"user_key": np.int64, "movie": np.int64, "rating": np.float32}
    if connection.vendor == "postgresql":
        # COPY streams the result as CSV into a file that pandas parses in C.
        with tempfile.TemporaryFile() as buffer:
            with (
                connection.cursor() as cursor,
                cursor.copy(f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, HEADER true)") as copy,
            ):
                for chunk in copy:
                    buffer.write(chunk)
            buffer.seek(0)
            return pd.read_csv(buffer, dtype=dtypes, engine="c")
    with connection.cursor() as cursor:
        cursor.execute(sql)
        rows = cursor.fetchall()
    return pd.DataFrame(rows, columns=list(dtypes)).astype(dtypes)


def item_metadata(movie_ids):
    """Per-item arrays the filters and lists need: year, genre bit mask, series."""
    genre_bits = {genre_id: 1 << bit for bit, genre_id in enumerate(_genre_order())}
    position = {movie_id: index for index, movie_id in enumerate(movie_ids.tolist())}
    years = np.zeros(len(movie_ids), dtype=np.int16)
    genres = np.zeros(len(movie_ids), dtype=np.int64)
    titles = [""] * len(movie_ids)
    rows = Movie.objects.filter(id__in=position).values_list(
        "id", "year", "movielens_title", "title"
    )
    for movie_id, year, movielens_title, title in rows:
        years[position[movie_id]] = year or 0
        titles[position[movie_id]] = movielens_title or title
    through = Movie.genres.through.objects.filter(movie_id__in=position)
    for movie_id, genre_id in through.values_list("movie_id", "genre_id").iterator():
        genres[position[movie_id]] |= genre_bits[genre_id]
    return {
        "years": years,
        "genre_masks": genres,
        "genre_ids": np.array(_genre_order()),
        "series": content.series_ids(titles),
    }


def _genre_order():
    # Genre filters are bit masks in an int64; MovieLens has 20 genres.
    return list(Genre.objects.order_by("id").values_list("id", flat=True))[:63]


def train_and_publish(force=False, tolerance=0.02, params=None):
    """Train when the data changed (or ``force``); publish unless quality regressed."""
    serving = ModelVersion.objects.serving()
    fingerprint = data_fingerprint()
    if not force and serving is not None and serving.data_fingerprint == fingerprint:
        return TrainingOutcome(serving, False, f"Training data unchanged; kept {serving.name}.")

    timings = {}
    started = time.perf_counter()
    data = load_training_data(fingerprint)
    timings["load_seconds"] = round(time.perf_counter() - started, 2)
    if len(data.ratings) == 0:
        return TrainingOutcome(None, False, "No ratings to train on: import MovieLens first.")

    params = params or params_for_size(len(data.ratings))
    held_out_users, in_training = _holdout_split(data)
    started = time.perf_counter()
    model = train_model(
        data.user_codes[in_training],
        data.item_codes[in_training],
        data.ratings[in_training],
        data.n_users,
        len(data.movie_ids),
        params=params,
    )
    timings["train_seconds"] = round(time.perf_counter() - started, 2)
    started = time.perf_counter()
    metrics = _holdout_quality(model, data, held_out_users, in_training)
    timings["evaluate_seconds"] = round(time.perf_counter() - started, 2)

    bundle = artifacts.ModelBundle(
        model=model, movie_ids=data.movie_ids, **item_metadata(data.movie_ids)
    )
    name = artifacts.save_bundle(bundle, settings.MODEL_DIR)
    version = ModelVersion.objects.create(
        name=name,
        format_version=artifacts.FORMAT_VERSION,
        data_fingerprint=data.fingerprint,
        n_users=data.n_users,
        n_items=len(data.movie_ids),
        n_ratings=len(data.ratings),
        params=model.params,
        metrics=metrics,
        timings=timings,
    )
    published, message = _publish_if_not_worse(version, serving, tolerance)
    prune_versions()
    return TrainingOutcome(version, published, message)


def _holdout_split(data, seed=0):
    """Pick held-out users and hide a fifth of their ratings from training."""
    rng = np.random.default_rng(seed)
    counts = np.bincount(data.user_codes, minlength=data.n_users)
    eligible = np.flatnonzero(counts >= MIN_HOLDOUT_RATINGS)
    n_holdout = min(HOLDOUT_MAX_USERS, int(len(eligible) * HOLDOUT_SHARE))
    held_out = np.sort(rng.choice(eligible, size=n_holdout, replace=False))
    in_training = np.ones(len(data.ratings), dtype=bool)
    on_holdout = np.isin(data.user_codes, held_out)
    in_training[on_holdout] = rng.random(int(on_holdout.sum())) >= 0.2
    return held_out, in_training


def _holdout_quality(model, data, held_out, in_training, n=20):
    """nDCG@n and Recall@n of held-out users, folded in through the serving code."""
    if len(held_out) == 0:
        return {}
    order = np.argsort(data.user_codes, kind="stable")
    starts = np.searchsorted(data.user_codes[order], held_out)
    ends = np.searchsorted(data.user_codes[order], held_out, side="right")
    discounts = 1.0 / np.log2(np.arange(2, n + 2))
    ndcgs, recalls = [], []
    for start, end in zip(starts, ends, strict=True):
        rows = order[start:end]
        known = rows[in_training[rows]]
        hidden = rows[~in_training[rows] & (data.ratings[rows] >= 4.0)]
        if len(hidden) == 0 or len(known) == 0:
            continue
        profile = fold_in_user(model, data.item_codes[known], data.ratings[known])
        top, _ = recommend(model, profile, n=n)
        hits = np.isin(top, data.item_codes[hidden])
        ideal = discounts[: min(n, len(hidden))].sum()
        ndcgs.append(float((hits * discounts[: len(top)]).sum() / ideal))
        recalls.append(float(hits.sum() / min(n, len(hidden))))
    if not ndcgs:
        return {}
    return {
        "ndcg": round(float(np.mean(ndcgs)), 4),
        "recall": round(float(np.mean(recalls)), 4),
        "holdout_users": len(ndcgs),
    }


def _publish_if_not_worse(version, serving, tolerance):
    """Publish ``version`` unless its holdout quality fell; the verdict goes in its notes."""
    old_score = (serving.metrics or {}).get("ndcg") if serving else None
    new_score = version.metrics.get("ndcg")
    if old_score is not None and new_score is not None and new_score < old_score - tolerance:
        version.status = ModelVersion.Status.REJECTED
        version.notes = (
            f"Holdout nDCG@20 {new_score:.3f} fell more than {tolerance} below "
            f"{serving.name}'s {old_score:.3f}; kept serving {serving.name}."
        )
        version.save(update_fields=["status", "notes"])
        return False, version.notes
    quality = f" (holdout nDCG@20 {new_score:.3f})" if new_score is not None else ""
    compared = f" against {serving.name}'s {old_score:.3f}" if old_score is not None else ""
    version.notes = f"Passed the quality gate{quality}{compared}."
    version.save(update_fields=["notes"])
    publish(version)
    return True, f"Published {version.name}{quality}."


def publish(version, by=None):
    """Make ``version`` the serving model; web workers switch on their next check.

    ``by`` is the staff member publishing it by hand (over the gate's refusal,
    or to go back to an earlier version); the version's notes record it.
    """
    artifacts.load_bundle(settings.MODEL_DIR / version.name)  # refuse a broken artifact
    with transaction.atomic():
        ModelVersion.objects.filter(is_serving=True).update(
            is_serving=False, status=ModelVersion.Status.RETIRED
        )
        if by is not None:
            was = version.get_status_display().lower()
            record = f"Published by {by.get_username()} (it was {was})."
            version.notes = f"{version.notes}\n{record}".strip()
        version.is_serving = True
        version.status = ModelVersion.Status.SERVING
        version.published_at = timezone.now()
        version.published_by = by
        version.save(
            update_fields=["is_serving", "status", "published_at", "published_by", "notes"]
        )
        # Visitors' film pages show this model's "more like this".
        catalog_changed()


def prune_versions(keep=KEEP_VERSIONS):
    """Delete all but the newest ``keep`` versions (never the serving one)."""
    stale = ModelVersion.objects.filter(is_serving=False).order_by("-created_at")[keep:]
    for version in stale:
        artifacts.remove_bundle(settings.MODEL_DIR, version.name)
        version.delete()
