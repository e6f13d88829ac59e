"""Train the recommender on MovieLens + site ratings and publish it as a new version.

``train_and_publish`` is the one function behind ``manage.py train_recommender``
and the Celery task: it skips when the training data has not changed since the
serving model, otherwise trains without a holdout of users' ratings, scores
that model on them, and, unless its quality fell more than a tolerance below
the serving model's on the same held-out ratings, trains again on every rating,
writes the artifact, records a :class:`ModelVersion` and switches serving to
it. A refused version keeps the model the gate scored. One training runs
at a time across every process and machine (a lease row in the database); a
second is refused at once with :class:`TrainingInProgress`.
"""

import hashlib
import logging
import os
import socket
import tempfile
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone

from catalog.models import Genre, Movie
from catalog.page_cache import catalog_changed
from ratings.models import MovieLensRating, Rating
from recommender import artifacts, content
from recommender.factorization import (
    ModelParams,
    fold_in_user,
    params_for_size,
    prefix_bound_settles,
    ranks_by_prefix,
    recommend,
    train_model,
)
from recommender.metrics import ndcg_and_recall
from recommender.models import ModelVersion, TrainingLease

logger = logging.getLogger(__name__)

# Site members are coded after every MovieLens user; the two id spaces never meet.
SITE_USER_OFFSET = 1 << 40
KEEP_VERSIONS = 3
HOLDOUT_SHARE = 0.1
HOLDOUT_MAX_USERS = 1000
MIN_HOLDOUT_RATINGS = 10
HIDDEN_SHARE = 0.2
HOLDOUT_SEED = 0
# Scores are compared only between versions whose holdout was drawn the same way.
HOLDOUT_SCHEME = (
    f"hash-v1 seed={HOLDOUT_SEED} users={HOLDOUT_SHARE}/{HOLDOUT_MAX_USERS} "
    f"min={MIN_HOLDOUT_RATINGS} hidden={HIDDEN_SHARE}"
)


class TrainingInProgress(Exception):
    """Another training is running; the message says where and since when."""


@contextmanager
def one_training_at_a_time():
    """Hold the training lease for the block, or raise ``TrainingInProgress``.

    The lease lasts a task's hard time limit and the block extends it between
    stages (``renew()``), so a killed training frees it by itself.
    """
    lease = timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT)
    token = uuid.uuid4().hex
    holder = f"{socket.gethostname()} (process {os.getpid()})"
    now = timezone.now()
    fields = {"token": token, "holder": holder, "started_at": now, "expires_at": now + lease}
    try:
        with transaction.atomic():
            TrainingLease.objects.create(pk=1, **fields)
    except IntegrityError:
        # Someone holds it, or held it and died: an expired lease is taken over.
        if not TrainingLease.objects.filter(pk=1, expires_at__lt=now).update(**fields):
            current = TrainingLease.objects.filter(pk=1).first()
            raise TrainingInProgress(
                f"A training is already running ({current or 'it just finished'}); "
                "this one did not start."
            )

    def renew():
        TrainingLease.objects.filter(pk=1, token=token).update(expires_at=timezone.now() + lease)

    try:
        yield renew
    finally:
        TrainingLease.objects.filter(pk=1, token=token).delete()


def training_in_progress():
    """The lease of the training running now, or None."""
    return TrainingLease.objects.filter(pk=1, expires_at__gte=timezone.now()).first()


@dataclass
class TrainingData:
    user_keys: np.ndarray  # int64 MovieLens user id, or site user id + SITE_USER_OFFSET
    user_codes: np.ndarray  # int32, index into user_keys
    item_codes: np.ndarray  # int32, index into movie_ids
    ratings: np.ndarray  # float32
    movie_ids: np.ndarray  # int64 Movie.pk of each item, ascending
    n_users: int
    fingerprint: str
    # (feature codes, item codes): the films' TMDB keywords and companies.
    content: tuple[np.ndarray, np.ndarray] | None = None


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
    # The TMDB sync changes the content rows training factorizes.
    content = [through.objects.count() for through in content_tables().values()]
    parts = [movielens, site, movies, content, ModelParams()]
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
    user_keys, user_codes = np.unique(frame["user_key"].to_numpy(), return_inverse=True)
    return TrainingData(
        user_keys=user_keys.astype(np.int64),
        user_codes=user_codes.astype(np.int32),
        item_codes=item_codes.astype(np.int32),
        ratings=frame["rating"].to_numpy(dtype=np.float32),
        movie_ids=movie_ids.astype(np.int64),
        n_users=int(user_codes.max()) + 1 if len(user_codes) else 0,
        fingerprint=fingerprint,
        content=catalog_content(movie_ids),
    )


def content_tables():
    """The catalog's content for training, by kind: each through table's feature column
    is ``<kind>_id`` (TMDB keywords and production companies)."""
    return {"keyword": Movie.keywords.through, "company": Movie.companies.through}


def catalog_content(movie_ids):
    """(feature codes, item codes) of the TMDB keywords and production companies of
    the films in ``movie_ids`` (ascending Movie pks): training's content rows."""
    feature_codes, item_codes, offset = [], [], 0
    for kind, through in content_tables().items():
        pairs = np.array(
            through.objects.values_list("movie_id", f"{kind}_id"), dtype=np.int64
        ).reshape(-1, 2)
        pairs = pairs[np.isin(pairs[:, 0], movie_ids)]
        features, codes = np.unique(pairs[:, 1], return_inverse=True)
        feature_codes.append(codes + offset)
        item_codes.append(np.searchsorted(movie_ids, pairs[:, 0]))
        offset += len(features)
    return (
        np.concatenate(feature_codes).astype(np.int32),
        np.concatenate(item_codes).astype(np.int32),
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
    """Per-item arrays the filters and lists need: year, genre bit mask, series.

    Series join films by title or by TMDB collection (``content.series_ids``).
    """
    genre_bits = {genre_id: 1 << bit for bit, genre_id in enumerate(_genre_order())}
    position = {movie_id: index for index, movie_id in enumerate(movie_ids.tolist())}
    years = np.zeros(len(movie_ids), dtype=np.int16)
    genres = np.zeros(len(movie_ids), dtype=np.int64)
    titles = [""] * len(movie_ids)
    collections = [None] * len(movie_ids)
    rows = Movie.objects.filter(id__in=position).values_list(
        "id", "year", "movielens_title", "title", "tmdb_collection_id"
    )
    for movie_id, year, movielens_title, title, collection in rows:
        years[position[movie_id]] = year or 0
        titles[position[movie_id]] = movielens_title or title
        collections[position[movie_id]] = collection
    through = Movie.genres.through.objects.filter(movie_id__in=position)
    for movie_id, genre_id in through.values_list("movie_id", "genre_id").iterator():
        genres[position[movie_id]] |= genre_bits[genre_id]
    return {
        "years": years,
        "genre_masks": genres,
        "genre_ids": np.array(_genre_order()),
        "series": content.series_ids(titles, collections),
    }


def _genre_order():
    # Genre filters are bit masks in an int64; MovieLens has 20 genres.
    return list(Genre.objects.order_by("id").values_list("id", flat=True))[:63]


def train_and_publish(force=False, tolerance=0.02, params=None):
    """Train when the data changed (or ``force``); publish unless quality regressed.

    Raises ``TrainingInProgress`` when another training is running.
    """
    with one_training_at_a_time() as renew:
        return _train_and_publish(force, tolerance, params, renew)


def _train_and_publish(force, tolerance, params, renew):
    serving = ModelVersion.objects.serving()
    fingerprint = data_fingerprint()
    if not force and serving is not None and serving.data_fingerprint == fingerprint:
        return TrainingOutcome(serving, False, f"Training data unchanged; kept {serving.name}.")

    timings = {}
    started = time.perf_counter()
    data = load_training_data(fingerprint)
    timings["load_seconds"] = round(time.perf_counter() - started, 2)
    renew()
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
        content=data.content,
    )
    timings["train_seconds"] = round(time.perf_counter() - started, 2)
    renew()
    started = time.perf_counter()
    metrics = _holdout_quality(model, data, held_out_users, in_training)
    timings["evaluate_seconds"] = round(time.perf_counter() - started, 2)

    passed, verdict = _quality_gate(metrics, serving, tolerance)
    if passed and not in_training.all():
        # The held-back ratings only served the gate: the served model learns from them too.
        del model
        started = time.perf_counter()
        model = train_model(
            data.user_codes,
            data.item_codes,
            data.ratings,
            data.n_users,
            len(data.movie_ids),
            params=params,
            content=data.content,
        )
        timings["refit_seconds"] = round(time.perf_counter() - started, 2)
        renew()
    elif not passed:
        verdict += " Not refit: this artifact is the model the gate scored."
    model = _without_unsettled_prefix(model, metrics)

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
        status=ModelVersion.Status.READY if passed else ModelVersion.Status.REJECTED,
        notes=verdict,
    )
    if passed:
        publish(version)
        quality = f" (holdout nDCG@20 {metrics['ndcg']:.3f})" if "ndcg" in metrics else ""
        message = f"Published {version.name}{quality}."
    else:
        message = verdict
    prune_versions()
    return TrainingOutcome(version, passed, message)


def _holdout_split(data):
    """Held-out users, and which ratings training sees (False: hidden for the score).

    Users with enough ratings are held out, and a fifth of their ratings hidden,
    by a seeded hash of keys that stay put as data grows (the MovieLens or site
    user id, the film id), not by position: every training holds out the same
    ratings of the same members, so two versions' scores can be compared.
    """
    counts = np.bincount(data.user_codes, minlength=data.n_users)
    eligible = np.flatnonzero(counts >= MIN_HOLDOUT_RATINGS)
    draws = _stable_fraction(data.user_keys[eligible], HOLDOUT_SEED)
    chosen = np.flatnonzero(draws < HOLDOUT_SHARE)
    # With very many users, the ones with the lowest draws.
    chosen = chosen[np.argsort(draws[chosen], kind="stable")[:HOLDOUT_MAX_USERS]]
    held_out = np.sort(eligible[chosen])
    in_training = np.ones(len(data.ratings), dtype=bool)
    rows = np.flatnonzero(np.isin(data.user_codes, held_out))
    pairs = data.user_keys[data.user_codes[rows]].astype(np.uint64) * np.uint64(
        1_000_003
    ) + data.movie_ids[data.item_codes[rows]].astype(np.uint64)
    in_training[rows] = _stable_fraction(pairs, HOLDOUT_SEED + 1) >= HIDDEN_SHARE
    return held_out, in_training


def _stable_fraction(keys, seed):
    """A number in [0, 1) for each integer key, the same in every process (splitmix64)."""
    mixed = np.asarray(keys).astype(np.uint64) + np.uint64(seed) * np.uint64(0x9E3779B97F4A7C15)
    mixed = mixed * np.uint64(0x9E3779B97F4A7C15)
    mixed ^= mixed >> np.uint64(30)
    mixed *= np.uint64(0xBF58476D1CE4E5B9)
    mixed ^= mixed >> np.uint64(27)
    mixed *= np.uint64(0x94D049BB133111EB)
    mixed ^= mixed >> np.uint64(31)
    return (mixed >> np.uint64(11)).astype(np.float64) / float(1 << 53)


def _without_unsettled_prefix(model, metrics):
    """``model``, ranking with the full product if two-stage ranking did not pay on it.

    Where the bound settled fewer held-out lists than ``score_prefix_min_settled``,
    most requests would complete the product after the first stage, slower than
    the full product alone; the artifact then serves with ``score_prefix = 0``.
    """
    settled = metrics.get("prefix_settled")
    if settled is None or settled >= model.params.get("score_prefix_min_settled", 0.0):
        return model
    metrics["prefix_off"] = True
    return model.serving_with(score_prefix=0)


def _holdout_quality(model, data, held_out, in_training, n=20):
    """nDCG@n and Recall@n of held-out users, folded in through the serving code, and
    the share of their top 50s that two-stage ranking's bound settles (if it is on)."""
    if len(held_out) == 0:
        return {}
    order = np.argsort(data.user_codes, kind="stable")
    starts = np.searchsorted(data.user_codes[order], held_out)
    ends = np.searchsorted(data.user_codes[order], held_out, side="right")
    ndcgs, recalls, settled = [], [], []
    two_stage = ranks_by_prefix(model, 50)
    for start, end in zip(starts, ends, strict=True):
        rows = order[start:end]
        known = rows[in_training[rows]]
        hidden = rows[~in_training[rows] & (data.ratings[rows] >= 4.0)]
        if len(hidden) == 0 or len(known) == 0:
            continue
        profile = fold_in_user(model, data.item_codes[known], data.ratings[known])
        top, _ = recommend(model, profile, n=n)
        ndcg, recall = ndcg_and_recall(top, data.item_codes[hidden], n)
        ndcgs.append(ndcg)
        recalls.append(recall)
        if two_stage:
            settled.append(prefix_bound_settles(model, profile))
    if not ndcgs:
        return {}
    metrics = {
        "ndcg": round(float(np.mean(ndcgs)), 4),
        "recall": round(float(np.mean(recalls)), 4),
        "holdout_users": len(ndcgs),
        "holdout": HOLDOUT_SCHEME,
    }
    if settled:
        metrics["prefix_settled"] = round(float(np.mean(settled)), 3)
    return metrics


def _quality_gate(metrics, serving, tolerance):
    """``(passes, verdict)``: a candidate passes unless its holdout nDCG@20 fell more
    than ``tolerance`` below the serving model's, scored on the same held-out ratings."""
    new_score = metrics.get("ndcg")
    old_metrics = (serving.metrics or {}) if serving else {}
    old_score = old_metrics.get("ndcg")
    if new_score is None:
        return True, "Passed the quality gate: too few ratings to hold any out."
    quality = f"holdout nDCG@20 {new_score:.3f}"
    if old_score is None:
        return True, f"Passed the quality gate ({quality}); refit on every rating."
    if old_metrics.get("holdout") != metrics.get("holdout"):
        return True, (
            f"Passed the quality gate ({quality}); {serving.name} was scored on another "
            "holdout, so the two were not compared. Refit on every rating."
        )
    if new_score < old_score - tolerance:
        return False, (
            f"Holdout nDCG@20 {new_score:.3f} fell more than {tolerance} below "
            f"{serving.name}'s {old_score:.3f} on the same held-out ratings; kept serving "
            f"{serving.name}."
        )
    return True, (
        f"Passed the quality gate ({quality} against {serving.name}'s {old_score:.3f} "
        "on the same held-out ratings); refit on every rating."
    )


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
