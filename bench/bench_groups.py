"""Time a watch-together list: ``rank_for_group`` for groups of 1, 2, 4 and 8.

Usage (from the repository root):

    python bench/bench_groups.py ../shared/data/movielens/ml-latest-small/ratings.csv

Trains the site's model on the ratings (80% of users, seed 0), folds in held-out
users and times one group list of 30 films (scores, candidates, predicted
ratings, the strategy) per strategy, median and p90 of ``--runs`` runs, one BLAS
thread as the web workers run. Reasons and the database are not included.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import pandas as pd

from recommender.evaluation import encode_ratings, held_out_splits, train_on
from recommender.factorization import fold_in_user, params_for_size
from recommender.groups import STRATEGIES, rank_for_group


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ratings", type=Path)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()
    ratings = pd.read_csv(args.ratings)
    _, train, users = next(held_out_splits(encode_ratings(ratings), [0]))
    model = train_on(train, params_for_size(len(ratings)))
    profiles = [fold_in_user(model, user.items, user.ratings) for user in users[:8]]
    print(
        f"{model.n_items:,} items, k={model.item_factors.shape[1]}, members' ratings: "
        f"{[len(profile.item_indices) for profile in profiles]}"
    )
    print(f"{'size':>4} {'strategy':<20} {'median ms':>10} {'p90 ms':>8}")
    for size in (1, 2, 4, 8):
        for strategy in STRATEGIES:
            times = []
            for _ in range(args.runs):
                started = time.perf_counter()
                rank_for_group(model, profiles[:size], n=30, strategy=strategy)
                times.append((time.perf_counter() - started) * 1000)
            p90 = float(np.percentile(times, 90))
            print(f"{size:>4} {strategy:<20} {statistics.median(times):10.2f} {p90:8.2f}")


if __name__ == "__main__":
    main()
