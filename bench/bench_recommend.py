"""Benchmark one-user recommendation at ml-32m catalogue size (87,585 items, k=128).

Each request folds in ~50 ratings (with their ages, for the recency weights),
scores the whole catalogue, excludes rated and listed items, predicts ratings for
the 50 best and puts them in the site's coherent order (``rank_for_user``),
on a model memory-mapped from a joblib file the way web workers load it; then the
reasons of the 50 cards. Prints median / p95 / p99 in milliseconds.

    python bench/bench_recommend.py [--items 87585] [--factors 128] [--requests 2000]

Prefix OPENBLAS_NUM_THREADS=1 to measure a web worker that owns one core: BLAS
threads that must wait for a busy second core make the tail several times worse.
"""

import argparse
import sys
import tempfile
import time
from pathlib import Path

import joblib
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommender.factorization import (
    ModelParams,
    RecommenderModel,
    explain,
    fold_in_user,
    rank_for_user,
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


def percentiles(milliseconds: list[float]) -> str:
    p50, p95, p99 = np.percentile(milliseconds, [50, 95, 99])
    return f"median {p50:.2f} ms  p95 {p95:.2f} ms  p99 {p99:.2f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=87_585)
    parser.add_argument("--factors", type=int, default=128)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--ratings-per-user", type=int, default=50)
    args = parser.parse_args()

    rng = np.random.default_rng(1)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "model.joblib"
        joblib.dump(random_model(args.items, args.factors), path)
        model = joblib.load(path, mmap_mode="r")
        print(f"model {args.items:,} items x k={args.factors}, {type(model.output_factors)}")

        users = [
            (
                rng.choice(args.items, size=args.ratings_per_user, replace=False),
                rng.integers(1, 11, size=args.ratings_per_user).astype(np.float32) / 2,
                rng.choice(args.items, size=20, replace=False),
                rng.exponential(30, size=args.ratings_per_user).astype(np.float32),
            )
            for _ in range(args.requests)
        ]
        genre_masks = rng.integers(1, 1 << 20, size=args.items)
        recommend_ms, extras_ms = [], []
        for items, ratings, listed, ages in users:
            started = time.perf_counter()
            profile = fold_in_user(model, items, ratings, ages)
            top, _, _ = rank_for_user(model, profile, n=50, exclude=listed)
            recommend_ms.append((time.perf_counter() - started) * 1e3)
            assert not np.isin(top, items).any() and not np.isin(top, listed).any()

            started = time.perf_counter()
            for item in top:
                genres = genre_masks[item]
                explain(
                    model, profile, item, lambda rated, genres=genres: genre_masks[rated] & genres
                )
            extras_ms.append((time.perf_counter() - started) * 1e3)

    print(
        f"recommend (fold-in + score all + exclusions + predictions + coherent top-50): "
        f"{percentiles(recommend_ms)}"
    )
    print(f"reasons for 50 cards: {percentiles(extras_ms)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
