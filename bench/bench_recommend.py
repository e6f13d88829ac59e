"""Benchmark one-user recommendation at ml-32m catalogue size (87,585 items, k=128).

Each request folds in ~50 ratings (with their ages, for the recency weights),
scores the catalogue (in two stages where the model allows, see
``factorization.prefix_top_n``), excludes rated and listed items, predicts ratings for
the 50 best and puts them in the site's coherent order (``rank_for_user``),
on a model memory-mapped from a joblib file the way web workers load it; then the
reasons of the 50 cards. Prints median / p95 / p99 in milliseconds.

    python bench/bench_recommend.py [--items 87585] [--factors 128] [--requests 2000]
    python bench/bench_recommend.py --ratings RATINGS_CSV [--full-product] [--runs 2]

By default the model has random factors and the members random ratings, and it is
ranked with the full product, whose cost does not depend on what the numbers mean.
Two-stage ranking reads only a prefix of the factor columns and a pool of rows, and
how often its bound settles the top 50 depends on the numbers: random factors have
no singular-value spectrum (and no prefix arrays), and random members have no
taste for the top factors to capture. ``--ratings`` trains the site's model on a
MovieLens-format ratings.csv instead (the ml-32m-sized one bench_train.py
generates at /tmp/nextfilms-ml32m-synth has 87,585 films; reading and training
take a few minutes), leaving out ``--requests`` members chosen at
random (at most a fifth of them), whose latest ``--ratings-per-user`` ratings
and their times are folded in, as the site does for a member who is not in the
model. ``--full-product``
ranks that model without its prefix arrays, as a model trained before two-stage
ranking is; ``--runs`` repeats the timed requests.

Prefix OPENBLAS_NUM_THREADS=1 to measure a web worker that owns one core: BLAS
threads that must wait for a busy second core make the tail several times worse.
"""

import argparse
import dataclasses
import sys
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommender.factorization import (
    ModelParams,
    RecommenderModel,
    ages_from_times,
    explain,
    fold_in_user,
    rank_for_user,
    train_model,
)


def random_model(n_items: int, n_factors: int, seed: int = 0) -> RecommenderModel:
    """A model with random factors and long-tailed counts: serving cost does not
    depend on what the numbers mean."""
    rng = np.random.default_rng(seed)
    counts = np.floor(rng.pareto(1.0, n_items) * 3).astype(np.int32)
    return RecommenderModel(
        item_factors=rng.standard_normal((n_items, n_factors), dtype=np.float32),
        output_factors=np.asfortranarray(rng.standard_normal((n_items, n_factors))).astype(
            np.float32, order="F"
        ),
        popularity_weights=np.maximum(counts, 1).astype(np.float32) ** -0.1,
        item_counts=counts,
        item_biases=rng.normal(0, 0.3, n_items).astype(np.float32),
        untrained_items=np.flatnonzero(counts == 0).astype(np.int32),
        singular_values=np.sort(rng.random(n_factors, dtype=np.float32))[::-1].copy(),
        global_mean=3.5,
        params=vars(ModelParams(n_factors=n_factors)),
    )


def trained_model(ratings_csv: Path, n_factors: int, n_members: int, n_ratings: int, seed: int = 1):
    """The site's model trained on a ratings file without ``n_members`` random members,
    and those members' latest ``n_ratings`` (item indices, ratings, ages) to fold in."""
    frame = pd.read_csv(
        ratings_csv,
        usecols=["userId", "movieId", "rating", "timestamp"],
        dtype={"userId": np.int32, "movieId": np.int32, "rating": np.float32},
    )
    user_codes = np.unique(frame["userId"].to_numpy(), return_inverse=True)[1]
    movie_ids, item_codes = np.unique(frame["movieId"].to_numpy(), return_inverse=True)
    ratings = frame["rating"].to_numpy()
    times = frame["timestamp"].to_numpy()
    del frame
    n_users = int(user_codes.max()) + 1
    rng = np.random.default_rng(seed)
    members = rng.choice(n_users, size=min(n_members, n_users // 5), replace=False)
    held_out = np.isin(user_codes, members)
    training = ~held_out
    model = train_model(
        user_codes[training],
        item_codes[training],
        ratings[training],
        n_users,
        len(movie_ids),
        params=ModelParams(n_factors=n_factors),
    )
    rows = np.flatnonzero(held_out)
    rows = rows[np.argsort(user_codes[rows], kind="stable")]
    starts = np.flatnonzero(np.diff(user_codes[rows], prepend=-1))
    latest = [
        part[np.argsort(times[part], kind="stable")[-n_ratings:]]
        for part in np.split(rows, starts[1:])
    ]
    folded = [(item_codes[part], ratings[part], ages_from_times(times[part])) for part in latest]
    return model, folded


def percentiles(milliseconds: list[float]) -> str:
    p50, p95, p99 = np.percentile(milliseconds, [50, 95, 99])
    return f"median {p50:.2f} ms  p95 {p95:.2f} ms  p99 {p99:.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=87_585)
    parser.add_argument("--factors", type=int, default=128)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--ratings-per-user", type=int, default=50)
    parser.add_argument("--ratings", type=Path, help="train on this ratings.csv instead")
    parser.add_argument("--full-product", action="store_true", help="no two-stage ranking")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()

    rng = np.random.default_rng(1)
    if args.ratings:
        built, members = trained_model(
            args.ratings, args.factors, args.requests, args.ratings_per_user
        )
    else:
        built = random_model(args.items, args.factors)
        members = [
            (
                rng.choice(args.items, size=args.ratings_per_user, replace=False),
                rng.integers(1, 11, size=args.ratings_per_user).astype(np.float32) / 2,
                rng.exponential(30, size=args.ratings_per_user).astype(np.float32),
            )
            for _ in range(args.requests)
        ]
    if args.full_product:
        built = dataclasses.replace(built, output_scales=None, tail_norms=None, row_norms=None)
    n_items = built.n_items
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.joblib"
        joblib.dump(built, path)
        del built
        model = joblib.load(path, mmap_mode="r")
        print(
            f"model {n_items:,} items x k={args.factors}, {type(model.output_factors)}, "
            f"{len(members):,} members"
        )

        users = [
            (*members[request % len(members)], rng.choice(n_items, size=20, replace=False))
            for request in range(args.requests)
        ]
        genre_masks = rng.integers(1, 1 << 20, size=n_items)
        for _ in range(args.runs):
            recommend_ms, extras_ms = time_requests(model, users, genre_masks)
            print(
                f"recommend (fold-in + score + exclusions + predictions + coherent top-50): "
                f"{percentiles(recommend_ms)}"
            )
            print(f"reasons for 50 cards: {percentiles(extras_ms)}")
    return 0


def time_requests(model, users, genre_masks) -> tuple[list[float], list[float]]:
    """Milliseconds of each request's recommendations and of its 50 cards' reasons."""
    recommend_ms, extras_ms = [], []
    for items, ratings, ages, listed in users:
        started = time.perf_counter()
        profile = fold_in_user(model, items, ratings, ages)
        top, _, _ = rank_for_user(model, profile, n=50, exclude=listed)
        recommend_ms.append((time.perf_counter() - started) * 1e3)
        assert not np.isin(top, items).any() and not np.isin(top, listed).any()

        started = time.perf_counter()
        for item in top:
            genres = genre_masks[item]
            explain(model, profile, item, lambda rated, genres=genres: genre_masks[rated] & genres)
        extras_ms.append((time.perf_counter() - started) * 1e3)
    return recommend_ms, extras_ms


if __name__ == "__main__":
    raise SystemExit(main())
