"""Benchmark full training at ml-32m scale: wall time and peak RSS.

Reads a MovieLens-format ratings.csv (by default a synthetic ml-32m-sized one,
generated on first use with devtools/generate_movielens.py: 200,948 users, 87,585
movies, 32M ratings with MovieLens-like skew), codes the ids, trains the model
and reports the factorization's wall time and the process's peak RSS.

    python bench/bench_train.py [RATINGS_CSV] [--factors 128] [--content-per-film 18]

``--content-per-film N`` adds content rows as the site trains with them: N
features per film (TMDB keywords and production companies: about 15 and 3 per
film), drawn with a Zipf-like skew from 40,000 features.
"""

import argparse
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from recommender.factorization import ModelParams, train_model

SYNTHETIC_DIR = Path(tempfile.gettempdir()) / "nextfilms-ml32m-synth"


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2  # Linux: KiB


def current_rss_gb() -> float:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 1024**3


def dense_codes(ids: np.ndarray) -> tuple[np.ndarray, int]:
    """Codes 0..n-1 in ascending id order, in linear time (np.unique sorts 32M ids)."""
    present = np.zeros(int(ids.max()) + 1, dtype=bool)
    present[ids] = True
    code_of_id = np.cumsum(present, dtype=np.int32) - 1
    return code_of_id[ids], int(present.sum())


def synthetic_content(n_items: int, per_film: int, n_features: int = 40_000, seed: int = 0):
    """(feature codes, item codes): ``per_film`` features per film, popular ones more often."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, n_features + 1)
    features = rng.choice(n_features, size=n_items * per_film, p=weights / weights.sum())
    return features.astype(np.int32), np.repeat(np.arange(n_items, dtype=np.int32), per_film)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ratings_csv", nargs="?", type=Path)
    parser.add_argument("--factors", type=int, default=128)
    parser.add_argument("--content-per-film", type=int, default=0)
    args = parser.parse_args()

    path = args.ratings_csv or SYNTHETIC_DIR / "ratings.csv"
    if not path.exists():
        from devtools.generate_movielens import generate

        print(f"generating synthetic ml-32m into {SYNTHETIC_DIR} (about a minute)")
        generate(str(SYNTHETIC_DIR), users=200_948, movies=87_585, ratings=32_000_204, seed=0)

    started = time.perf_counter()
    frame = pd.read_csv(
        path,
        usecols=["userId", "movieId", "rating"],
        dtype={"userId": np.int32, "movieId": np.int32, "rating": np.float32},
    )
    user_codes, n_users = dense_codes(frame["userId"].to_numpy())
    item_codes, n_items = dense_codes(frame["movieId"].to_numpy())
    ratings = frame["rating"].to_numpy()
    del frame
    print(
        f"loaded {len(ratings):,} ratings, {n_users:,} users x {n_items:,} movies "
        f"in {time.perf_counter() - started:.1f} s; RSS {current_rss_gb():.2f} GB, "
        f"peak so far {peak_rss_gb():.2f} GB"
    )

    content = None
    if args.content_per_film:
        content = synthetic_content(n_items, args.content_per_film)
        print(f"content rows: {len(content[0]):,} film features")
    rss_before = current_rss_gb()
    model = train_model(
        user_codes,
        item_codes,
        ratings,
        n_users,
        n_items,
        params=ModelParams(n_factors=args.factors),
        content=content,
    )
    print(f"trained k={args.factors} in {model.training_seconds:.1f} s wall")
    print(
        f"peak RSS {peak_rss_gb():.2f} GB (input arrays {rss_before:.2f} GB of it; bar: 60 s, 3 GB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
