"""Offline quality protocols P1 (top-N ranking) and P2 (rating RMSE) from BRIEF.md.

Both go through the same fold-in functions the site uses (``fold_in_user``,
``recommend``, ``predict_ratings``), so what is measured is what is served.
Inputs are pandas DataFrames with ``userId``, ``movieId`` and ``rating`` columns.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.model_selection import KFold

from recommender.model import ModelParams, fold_in_user, predict_ratings, recommend, train_model

# Ranks a user's whole catalogue from (folded-in items, their ratings, n) → top-n items.
Ranker = Callable[[np.ndarray, np.ndarray, int], np.ndarray]


@dataclass
class CodedRatings:
    """Ratings as integer codes: users by ascending userId, items by ascending movieId."""

    user_codes: np.ndarray
    item_codes: np.ndarray
    ratings: np.ndarray
    n_users: int
    n_items: int


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


def encode_ratings(ratings: pd.DataFrame) -> CodedRatings:
    """Code users and movies by ascending id, rows sorted by (user, movie)."""
    user_ids = ratings["userId"].to_numpy()
    movie_ids = ratings["movieId"].to_numpy()
    unique_users, user_codes = np.unique(user_ids, return_inverse=True)
    unique_movies, item_codes = np.unique(movie_ids, return_inverse=True)
    order = np.lexsort((item_codes, user_codes))
    return CodedRatings(
        user_codes=user_codes[order].astype(np.int32),
        item_codes=item_codes[order].astype(np.int32),
        ratings=ratings["rating"].to_numpy(dtype=np.float32)[order],
        n_users=len(unique_users),
        n_items=len(unique_movies),
    )


def model_ranker(params: ModelParams | None = None) -> Callable[[CodedRatings], Ranker]:
    """P1 ranker of the SVD model: train, then fold each user in and recommend."""

    def fit(train: CodedRatings) -> Ranker:
        model = train_model(
            train.user_codes,
            train.item_codes,
            train.ratings,
            train.n_users,
            train.n_items,
            params=params,
        )

        def rank(items: np.ndarray, ratings: np.ndarray, n: int) -> np.ndarray:
            return recommend(model, fold_in_user(model, items, ratings), n=n)[0]

        return rank

    return fit


def popularity_ranker(train: CodedRatings) -> Ranker:
    """P1 baseline: the most-rated movies the user has not rated."""
    counts = np.bincount(train.item_codes, minlength=train.n_items)
    by_popularity = np.argsort(-counts, kind="stable")

    def rank(items: np.ndarray, ratings: np.ndarray, n: int) -> np.ndarray:
        return by_popularity[~np.isin(by_popularity, items)][:n]

    return rank


def evaluate_ranking(
    ratings: pd.DataFrame,
    fit: Callable[[CodedRatings], Ranker],
    *,
    seeds: Iterable[int] = range(5),
    n: int = 20,
) -> RankingResult:
    """Protocol P1 ("strong generalisation"): held-out users are folded in, never trained on.

    Per seed: ``default_rng(seed)`` picks 20% of users; the model trains on the rest.
    Each held-out user (in ascending userId order) keeps each rating for fold-in with
    probability 0.8; the others rated ≥ 4.0 are the relevant items, and every movie
    not folded in is ranked.
    """
    coded = encode_ratings(ratings)
    discounts = 1.0 / np.log2(np.arange(2, n + 2))
    user_starts = np.searchsorted(coded.user_codes, np.arange(coded.n_users + 1))
    seed_ndcgs, seed_recalls, seconds, n_users = [], [], [], 0
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
        )
        started = time.perf_counter()
        rank = fit(train)
        seconds.append(time.perf_counter() - started)
        ndcgs, recalls = [], []
        for user in held_out:
            rows = slice(user_starts[user], user_starts[user + 1])
            items, values = coded.item_codes[rows], coded.ratings[rows]
            folded = rng.random(len(items)) < 0.8
            relevant = items[~folded & (values >= 4.0)]
            if len(relevant) == 0:
                continue
            top = rank(items[folded], values[folded], n)
            hits = np.isin(top, relevant)
            ideal = discounts[: min(n, len(relevant))].sum()
            ndcgs.append((hits * discounts[: len(top)]).sum() / ideal)
            recalls.append(hits.sum() / min(n, len(relevant)))
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
    ratings: pd.DataFrame, params: ModelParams | None = None, *, n_splits: int = 5, seed: int = 0
) -> RatingResult:
    """Protocol P2: RMSE over ``KFold(n_splits, shuffle=True, random_state=seed)`` of rows.

    Test users are also in training, but each is folded in from their training-fold
    ratings, exactly as the site predicts for a user who has just rated something.
    """
    coded = encode_ratings(ratings)
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
