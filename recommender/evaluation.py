"""Offline quality protocols P1, P3 (top-N ranking) and P2 (rating RMSE) from BRIEF.md.

All go through the same fold-in functions the site uses (``fold_in_user``,
``rank_for_user``, ``predict_ratings``), so what is measured is what is served.
Inputs are pandas DataFrames with ``userId``, ``movieId`` and ``rating`` columns
(and ``timestamp``, which P3 and the site's recency weights need).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.linalg
import scipy.sparse as sp
from sklearn.model_selection import KFold

from recommender.factorization import (
    ModelParams,
    ages_from_times,
    fold_in_user,
    predict_ratings,
    rank_for_user,
    top_n,
    train_model,
)
from recommender.metrics import ndcg_and_recall

# Ranks a user's whole catalogue from (folded-in items, their ratings, their
# rating times or None, n) → top-n items.
Ranker = Callable[[np.ndarray, np.ndarray, np.ndarray | None, int], np.ndarray]


@dataclass
class CodedRatings:
    """Ratings as integer codes: users by ascending userId, items by ascending movieId."""

    user_codes: np.ndarray
    item_codes: np.ndarray
    ratings: np.ndarray
    n_users: int
    n_items: int
    times: np.ndarray | None = None  # rating timestamps, when the data has them
    movie_ids: np.ndarray | None = None  # movieId of each item code
    # The films' content features as (feature codes, item codes), when given:
    # training factorizes them with the ratings (train_model's ``content``).
    content: tuple[np.ndarray, np.ndarray] | None = None


@dataclass
class HeldOutUser:
    """A P1/P3 member: what is folded in and what is hidden."""

    user: int
    items: np.ndarray
    ratings: np.ndarray
    times: np.ndarray | None
    hidden_items: np.ndarray
    hidden_ratings: np.ndarray

    @property
    def relevant(self) -> np.ndarray:
        return self.hidden_items[self.hidden_ratings >= 4.0]


@dataclass
class RankingResult:
    ndcg: float  # nDCG@n, mean over users with a relevant item, then over seeds
    recall: float  # Recall@n = hits / min(n, relevant)
    n_users: int  # evaluated users summed over seeds
    training_seconds: float  # mean per seed


@dataclass
class RatingResult:
    rmse: float  # mean over folds
    fold_rmses: list[float]
    training_seconds: float  # mean per fold


def encode_ratings(ratings: pd.DataFrame, content: pd.DataFrame | None = None) -> CodedRatings:
    """Code users and movies by ascending id, rows sorted by (user, movie).

    ``content`` (columns movieId, feature) lists each film's content features; films
    without ratings are left out, as training leaves them out.
    """
    user_ids = ratings["userId"].to_numpy()
    movie_ids = ratings["movieId"].to_numpy()
    unique_users, user_codes = np.unique(user_ids, return_inverse=True)
    unique_movies, item_codes = np.unique(movie_ids, return_inverse=True)
    order = np.lexsort((item_codes, user_codes))
    times = ratings["timestamp"].to_numpy()[order] if "timestamp" in ratings else None
    return CodedRatings(
        user_codes=user_codes[order].astype(np.int32),
        item_codes=item_codes[order].astype(np.int32),
        ratings=ratings["rating"].to_numpy(dtype=np.float32)[order],
        n_users=len(unique_users),
        n_items=len(unique_movies),
        times=times,
        movie_ids=unique_movies,
        content=None if content is None else _coded_content(content, unique_movies),
    )


def _coded_content(content: pd.DataFrame, movie_ids: np.ndarray):
    rated = content[content["movieId"].isin(movie_ids)]
    _, feature_codes = np.unique(rated["feature"].to_numpy(), return_inverse=True)
    item_codes = np.searchsorted(movie_ids, rated["movieId"].to_numpy())
    return feature_codes.astype(np.int32), item_codes.astype(np.int32)


# TMDB export columns → the prefix of their features (the site's own prefixes).
CONTENT_KINDS = {"keywords": "keyword", "production_companies": "company"}


def tmdb_export_content(tmdb_csv, links_csv) -> pd.DataFrame:
    """Content features (movieId, feature) from a TMDB export such as TMDB 5000.

    The export's ``keywords`` and ``production_companies`` columns (JSON lists of
    ``{"id", "name"}``) are what the catalog keeps from TMDB's details; MovieLens's
    ``links.csv`` maps its TMDB ids to movieIds.
    """
    links = pd.read_csv(links_csv, usecols=["movieId", "tmdbId"]).dropna()
    movie_of = dict(zip(links["tmdbId"].astype(int), links["movieId"].astype(int), strict=True))
    export = pd.read_csv(tmdb_csv, usecols=["id", *CONTENT_KINDS])
    rows = []
    for record in export.itertuples(index=False):
        movie_id = movie_of.get(int(record.id))
        if movie_id is None:
            continue
        for kind in CONTENT_KINDS:
            for entry in json.loads(getattr(record, kind) or "[]"):
                rows.append((movie_id, f"{CONTENT_KINDS[kind]}:{entry['id']}"))
    return pd.DataFrame(rows, columns=["movieId", "feature"])


def train_on(train: CodedRatings, params: ModelParams | None = None):
    """The site's model trained on coded ratings."""
    return train_model(
        train.user_codes,
        train.item_codes,
        train.ratings,
        train.n_users,
        train.n_items,
        params=params,
        content=train.content,
    )


def model_ranker(
    params: ModelParams | None = None, asked_after_days: float = 0.0
) -> Callable[[CodedRatings], Ranker]:
    """Ranker of the site's model: train, then fold each user in and rank as For you does.

    The list is asked for ``asked_after_days`` after the member's newest rating:
    0 is right after it, when the recency weights count most; the site measures
    ages from the moment of the request, so a member back the next day is served
    as with ``asked_after_days=1``.
    """

    def fit(train: CodedRatings) -> Ranker:
        model = train_on(train, params)

        def rank(items, ratings, times, n):
            ages = None if times is None else ages_from_times(times) + np.float32(asked_after_days)
            return rank_for_user(model, fold_in_user(model, items, ratings, ages), n=n)[0]

        return rank

    return fit


def popularity_ranker(train: CodedRatings) -> Ranker:
    """Baseline: the most-rated movies the user has not rated."""
    counts = np.bincount(train.item_codes, minlength=train.n_items)
    by_popularity = np.argsort(-counts, kind="stable")

    def rank(items, ratings, times, n):
        return by_popularity[~np.isin(by_popularity, items)][:n]

    return rank


def ease_ranker(ridge: float = 1000.0) -> Callable[[CodedRatings], Ranker]:
    """Reference: EASE (Steck 2019), the closed-form item model on raw ratings.

    Dense ``n_items²`` float32 (about 380 MB for ml-latest-small): a yardstick for
    small data, not something to serve.
    """

    def fit(train: CodedRatings) -> Ranker:
        trained = np.unique(train.item_codes)
        position = np.full(train.n_items, -1)
        position[trained] = np.arange(len(trained))
        matrix = sp.csr_matrix(
            (train.ratings, (train.user_codes, position[train.item_codes])),
            shape=(train.n_users, len(trained)),
            dtype=np.float32,
        )
        gram = (matrix.T @ matrix).toarray()
        gram[np.diag_indices_from(gram)] += ridge
        inverse = scipy.linalg.inv(gram, overwrite_a=True, check_finite=False)
        weights = inverse / -np.diag(inverse)
        weights[np.diag_indices_from(weights)] = 0
        del inverse, gram

        def rank(items, ratings, times, n):
            known = position[items] >= 0
            scores = ratings[known] @ weights[position[items[known]]]
            scores[position[items[known]]] = -np.inf
            return trained[top_n(scores, n)]

        return rank

    return fit


def held_out_splits(
    coded: CodedRatings, seeds: Iterable[int] = range(5), temporal: bool = False
) -> Iterator[tuple[int, CodedRatings, list[HeldOutUser]]]:
    """Per seed: the training ratings and the held-out users of P1 (or P3).

    ``default_rng(seed)`` picks 20% of users; the model trains on the rest. P1
    keeps each held-out rating (users in ascending userId order) for fold-in with
    probability 0.8; P3 (``temporal``) hides each held-out user's latest 20% by
    timestamp instead.
    """
    user_starts = np.searchsorted(coded.user_codes, np.arange(coded.n_users + 1))
    for seed in seeds:
        rng = np.random.default_rng(seed)
        n_held_out = round(0.2 * coded.n_users)
        held_out = np.sort(rng.choice(coded.n_users, size=n_held_out, replace=False))
        in_training = ~np.isin(coded.user_codes, held_out)
        train = CodedRatings(
            coded.user_codes[in_training],
            coded.item_codes[in_training],
            coded.ratings[in_training],
            coded.n_users,
            coded.n_items,
            None if coded.times is None else coded.times[in_training],
            coded.movie_ids,
            coded.content,
        )
        users = []
        for user in held_out:
            rows = np.arange(user_starts[user], user_starts[user + 1])
            if temporal:
                by_time = rows[np.lexsort((coded.item_codes[rows], coded.times[rows]))]
                n_hidden = round(0.2 * len(rows))
                folded_rows, hidden_rows = (
                    by_time[: len(rows) - n_hidden],
                    by_time[len(rows) - n_hidden :],
                )
            else:
                folded = rng.random(len(rows)) < 0.8
                folded_rows, hidden_rows = rows[folded], rows[~folded]
            users.append(
                HeldOutUser(
                    int(user),
                    coded.item_codes[folded_rows],
                    coded.ratings[folded_rows],
                    None if coded.times is None else coded.times[folded_rows],
                    coded.item_codes[hidden_rows],
                    coded.ratings[hidden_rows],
                )
            )
        yield seed, train, users


def evaluate_ranking(
    ratings: pd.DataFrame,
    fit: Callable[[CodedRatings], Ranker],
    *,
    seeds: Iterable[int] = range(5),
    n: int = 20,
    temporal: bool = False,
    content: pd.DataFrame | None = None,
) -> RankingResult:
    """Protocol P1 ("strong generalisation"), or P3 with ``temporal``.

    Held-out users are folded in, never trained on; relevant = their hidden
    ratings ≥ 4.0; every movie not folded in is ranked.
    """
    coded = encode_ratings(ratings, content)
    seed_ndcgs, seed_recalls, seconds, n_users = [], [], [], 0
    for _, train, users in held_out_splits(coded, seeds, temporal):
        started = time.perf_counter()
        rank = fit(train)
        seconds.append(time.perf_counter() - started)
        ndcgs, recalls = [], []
        for user in users:
            relevant = user.relevant
            if len(relevant) == 0:
                continue
            ndcg, recall = ndcg_and_recall(
                rank(user.items, user.ratings, user.times, n), relevant, n
            )
            ndcgs.append(ndcg)
            recalls.append(recall)
        seed_ndcgs.append(np.mean(ndcgs))
        seed_recalls.append(np.mean(recalls))
        n_users += len(ndcgs)
    return RankingResult(
        ndcg=float(np.mean(seed_ndcgs)),
        recall=float(np.mean(seed_recalls)),
        n_users=n_users,
        training_seconds=float(np.mean(seconds)),
    )


def evaluate_rating_prediction(
    ratings: pd.DataFrame,
    params: ModelParams | None = None,
    *,
    n_splits: int = 5,
    seed: int = 0,
    content: pd.DataFrame | None = None,
) -> RatingResult:
    """Protocol P2: RMSE over ``KFold(n_splits, shuffle=True, random_state=seed)`` of rows.

    Test users are also in training, but each is folded in from their training-fold
    ratings, exactly as the site predicts for a user who has just rated something.
    """
    coded = encode_ratings(ratings, content)
    rows = np.arange(len(coded.ratings))
    fold_rmses, seconds = [], []
    for train_rows, test_rows in KFold(n_splits, shuffle=True, random_state=seed).split(rows):
        train_rows, test_rows = np.sort(train_rows), np.sort(test_rows)
        started = time.perf_counter()
        model = train_model(
            coded.user_codes[train_rows],
            coded.item_codes[train_rows],
            coded.ratings[train_rows],
            coded.n_users,
            coded.n_items,
            params=params,
            content=coded.content,
        )
        seconds.append(time.perf_counter() - started)
        # Rows stay sorted by user, so each user's rows are one slice of each fold.
        train_starts = np.searchsorted(coded.user_codes[train_rows], np.arange(coded.n_users + 1))
        test_starts = np.searchsorted(coded.user_codes[test_rows], np.arange(coded.n_users + 1))
        predictions = np.empty(len(test_rows), dtype=np.float32)
        for user in range(coded.n_users):
            tests = slice(test_starts[user], test_starts[user + 1])
            if tests.start == tests.stop:
                continue
            trains = train_rows[train_starts[user] : train_starts[user + 1]]
            profile = fold_in_user(model, coded.item_codes[trains], coded.ratings[trains])
            predictions[tests] = predict_ratings(model, profile, coded.item_codes[test_rows[tests]])
        errors = predictions - coded.ratings[test_rows]
        fold_rmses.append(float(np.sqrt(np.mean(errors.astype(np.float64) ** 2))))
    return RatingResult(
        rmse=float(np.mean(fold_rmses)),
        fold_rmses=fold_rmses,
        training_seconds=float(np.mean(seconds)),
    )
