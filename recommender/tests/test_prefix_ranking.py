"""Two-stage ranking (prefix_top_n) returns exactly the full product's top n.

Every test compares ``recommend`` with a brute-force float64 product over the whole
catalogue: the returned films must carry their true scores, and those must be the
n best true scores, so a film wrongly left out of the pool fails the comparison.
"""

import dataclasses
import zipfile

import numpy as np
import pandas as pd
import pytest

from conftest import MOVIELENS_SMALL_ZIP
from recommender.factorization import (
    ModelParams,
    fold_in_user,
    params_for_size,
    prefix_bound_settles,
    ranks_by_prefix,
    recommend,
    train_model,
)

N_CLUSTERS = 8
CLUSTER_SIZE = 250
N_ITEMS = N_CLUSTERS * CLUSTER_SIZE
N_FACTORS = 16
PREFIX = 12
POOL = 100
# Within a cluster, film i is rated in proportion to 1 / (i + 1).
POPULARITY = 1.0 / np.arange(1, CLUSTER_SIZE + 1)
POPULARITY /= POPULARITY.sum()


def cluster_items(cluster: int) -> np.ndarray:
    return np.arange(cluster * CLUSTER_SIZE, (cluster + 1) * CLUSTER_SIZE)


@pytest.fixture(scope="module")
def clustered():
    """2,000 films in 8 taste clusters, popular ones rated more: a steep spectrum."""
    rng = np.random.default_rng(0)
    users, items, ratings = [], [], []
    for user in range(3000):
        liked = cluster_items(user % N_CLUSTERS)[
            rng.choice(CLUSTER_SIZE, size=25, replace=False, p=POPULARITY)
        ]
        stray = rng.choice(N_ITEMS, size=5, replace=False)
        rated = np.unique(np.concatenate([liked, stray]))
        users += [user] * len(rated)
        items += list(rated)
        loved = rng.choice([4.0, 4.5, 5.0], size=len(rated))
        ratings += list(np.where(np.isin(rated, liked), loved, 2.0))
    params = ModelParams(n_factors=N_FACTORS, score_prefix=PREFIX, score_pool=POOL)
    return train_model(
        np.array(users),
        np.array(items),
        np.array(ratings, dtype=np.float32),
        3000,
        N_ITEMS,
        params=params,
    )


@pytest.fixture(scope="module")
def movielens():
    """The site's model (k=128) on the real ml-latest-small ratings, and its members."""
    if not MOVIELENS_SMALL_ZIP.is_file():
        pytest.fail(f"{MOVIELENS_SMALL_ZIP} is missing: the tests need ../shared beside the repo.")
    with zipfile.ZipFile(MOVIELENS_SMALL_ZIP) as archive:
        frame = pd.read_csv(archive.open("ml-latest-small/ratings.csv"))
    user_codes = np.unique(frame["userId"], return_inverse=True)[1]
    item_codes = np.unique(frame["movieId"], return_inverse=True)[1]
    ratings = frame["rating"].to_numpy(dtype=np.float32)
    model = train_model(
        user_codes,
        item_codes,
        ratings,
        user_codes.max() + 1,
        item_codes.max() + 1,
        params=ModelParams(n_factors=128),
    )
    members = [
        (item_codes[user_codes == user], ratings[user_codes == user]) for user in range(0, 600, 10)
    ]
    return model, members


def full_product(model, profile, exclude=()):
    """Every film's score in float64, excluded films at -inf."""
    scores = model.output_factors.astype(np.float64) @ profile.user_vector.astype(np.float64)
    scores *= model.popularity_weights
    scores[profile.item_indices] = -np.inf
    scores[model.untrained_items] = -np.inf
    scores[np.asarray(exclude, dtype=np.int64)] = -np.inf
    return scores


def assert_full_products_top(model, profile, n, exclude=()):
    top, scores = recommend(model, profile, n=n, exclude=np.asarray(exclude, dtype=np.int64))
    exact = full_product(model, profile, exclude)
    best = np.sort(exact[np.isfinite(exact)])[::-1][:n]
    tolerance = 1e-5 * np.abs(best).max()
    assert len(top) == len(best)
    np.testing.assert_allclose(scores, exact[top], atol=tolerance)
    np.testing.assert_allclose(exact[top], best, atol=tolerance)


def member(model, rng, cluster):
    liked = cluster_items(cluster)[rng.choice(CLUSTER_SIZE, size=10, replace=False, p=POPULARITY)]
    return fold_in_user(model, liked, rng.choice([3.5, 4.0, 5.0], size=10))


def test_two_stages_rank_a_clustered_catalogue_as_the_full_product(clustered):
    rng = np.random.default_rng(1)
    profiles = [member(clustered, rng, user % N_CLUSTERS) for user in range(40)]

    for profile in profiles:
        assert_full_products_top(clustered, profile, 20, exclude=rng.choice(N_ITEMS, 20))

    assert ranks_by_prefix(clustered, 20)
    assert sum(prefix_bound_settles(clustered, profile, 20) for profile in profiles) >= 36


def test_films_outside_the_pool_that_the_bound_keeps_are_ranked(clustered):
    # A pool of exactly n: the head's n best are rarely the true n best.
    tight = clustered.serving_with(score_pool=20)
    rng = np.random.default_rng(2)
    rescued = 0
    for user in range(40):
        profile = member(tight, rng, user % N_CLUSTERS)
        head = tight.output_factors[:, :PREFIX] @ profile.user_vector[:PREFIX]
        head *= tight.popularity_weights
        head[profile.item_indices] = -np.inf
        if prefix_bound_settles(tight, profile, 20):
            top, _ = recommend(tight, profile, n=20)
            rescued += not set(top) <= set(np.argsort(-head)[:20])
        assert_full_products_top(tight, profile, 20)

    assert rescued > 0


def test_exclusions_filling_the_first_pool_still_give_the_true_top_n(clustered):
    profile = member(clustered, np.random.default_rng(3), 2)
    head = clustered.output_factors[:, :PREFIX] @ profile.user_vector[:PREFIX]
    head *= clustered.popularity_weights
    head[profile.item_indices] = -np.inf
    head_pool = np.argsort(-head)[:POOL]

    assert_full_products_top(clustered, profile, 20, exclude=head_pool)


def test_n_larger_than_the_pool_is_ranked_in_full(clustered):
    profile = member(clustered, np.random.default_rng(4), 5)

    assert ranks_by_prefix(clustered, POOL + 50)
    assert_full_products_top(clustered, profile, POOL + 50)


def test_fewer_films_left_than_the_pool_returns_them_all_in_order(clustered):
    profile = member(clustered, np.random.default_rng(5), 1)
    left = np.arange(N_ITEMS - 30, N_ITEMS)
    exclude = np.setdiff1d(np.arange(N_ITEMS), left)

    top, _ = recommend(clustered, profile, n=50, exclude=exclude)

    assert sorted(top) == sorted(np.setdiff1d(left, profile.item_indices))
    assert_full_products_top(clustered, profile, 50, exclude=exclude)


def test_a_taste_all_in_the_later_factors_falls_back_to_the_full_product(clustered):
    profile = member(clustered, np.random.default_rng(6), 3)
    tail_only = profile.user_vector.copy()
    tail_only[:PREFIX] = 0
    tail_only[PREFIX:] = np.random.default_rng(7).standard_normal(len(tail_only) - PREFIX)
    profile = dataclasses.replace(profile, user_vector=tail_only)

    assert not prefix_bound_settles(clustered, profile, 20)
    assert_full_products_top(clustered, profile, 20)


def test_a_member_without_ratings_gets_the_most_rated_films(clustered):
    profile = fold_in_user(clustered, np.array([], dtype=int), np.array([]))

    top, _ = recommend(clustered, profile, n=5)

    assert list(clustered.item_counts[top]) == sorted(clustered.item_counts, reverse=True)[:5]


def test_a_model_trained_before_two_stage_ranking_ranks_with_the_full_product(clustered):
    old = dataclasses.replace(clustered, output_scales=None, tail_norms=None, row_norms=None)
    profile = member(old, np.random.default_rng(8), 4)

    assert not ranks_by_prefix(old, 20)
    assert_full_products_top(old, profile, 20)


def test_small_data_models_rank_with_the_full_product():
    params = params_for_size(100_836)
    rng = np.random.default_rng(10)

    model = train_model(
        rng.integers(0, 300, 9000),
        rng.integers(0, 2000, 9000),
        rng.choice([1.0, 5.0], 9000),
        300,
        2000,
        params=params,
    )

    assert model.tail_norms is None
    assert not ranks_by_prefix(model, 50)


def test_real_members_get_the_full_products_top_50(movielens):
    model, members = movielens
    rng = np.random.default_rng(9)

    assert ranks_by_prefix(model, 50)
    for items, ratings in members:
        profile = fold_in_user(model, items, ratings)
        assert_full_products_top(model, profile, 50, exclude=rng.choice(model.n_items, 20))
