"""The numeric core on planted data: no database, no Django."""

import joblib
import numpy as np
import pytest

from recommender.model import (
    ModelParams,
    explain,
    fold_in_user,
    predict_ratings,
    recommend,
    similar_items,
    train_model,
)

N_CLUSTERS = 4
CLUSTER_SIZE = 20
N_ITEMS = N_CLUSTERS * CLUSTER_SIZE + 1  # the last item is never rated
N_USERS = 400


def cluster_items(cluster: int) -> np.ndarray:
    return np.arange(cluster * CLUSTER_SIZE, (cluster + 1) * CLUSTER_SIZE)


@pytest.fixture(scope="module")
def planted():
    """Each user loves some films of one taste cluster and dislikes a few of another."""
    rng = np.random.default_rng(0)
    users, items, ratings = [], [], []
    for user in range(N_USERS):
        liked = rng.choice(cluster_items(user % N_CLUSTERS), size=12, replace=False)
        other = (user % N_CLUSTERS + 1 + rng.integers(N_CLUSTERS - 1)) % N_CLUSTERS
        disliked = rng.choice(cluster_items(other), size=3, replace=False)
        users += [user] * 15
        items += [*liked, *disliked]
        ratings += [*rng.choice([4.0, 4.5, 5.0], size=12), *rng.choice([0.5, 1.0, 2.0], size=3)]
    model = train_model(
        np.array(users),
        np.array(items),
        np.array(ratings, dtype=np.float32),
        N_USERS,
        N_ITEMS,
        params=ModelParams(n_factors=N_CLUSTERS),
    )
    return model


def test_user_who_loves_half_a_cluster_gets_the_other_half_first(planted):
    half = cluster_items(2)[:10]
    profile = fold_in_user(planted, half, np.full(10, 5.0))

    top, scores = recommend(planted, profile, n=10)

    assert sorted(top) == list(cluster_items(2)[10:])
    assert np.all(np.diff(scores) <= 0)


def test_rated_excluded_and_unrated_items_are_never_recommended(planted):
    profile = fold_in_user(planted, cluster_items(1)[:5], np.full(5, 4.5))
    best_before, _ = recommend(planted, profile, n=5)

    top, _ = recommend(planted, profile, n=N_ITEMS, exclude=best_before)

    assert not np.isin(top, best_before).any()
    assert not np.isin(top, cluster_items(1)[:5]).any()
    assert N_ITEMS - 1 not in top
    assert len(top) == N_ITEMS - 1 - 5 - 5


def test_recommend_matches_a_full_sort(planted):
    rng = np.random.default_rng(3)
    rated = rng.choice(N_ITEMS - 1, size=8, replace=False)
    profile = fold_in_user(planted, rated, rng.choice([1.0, 3.0, 5.0], size=8))
    scores = planted.output_factors @ profile.user_vector * planted.popularity_weights
    scores[rated] = -np.inf
    scores[N_ITEMS - 1] = -np.inf

    top, _ = recommend(planted, profile, n=12)

    assert list(top) == list(np.argsort(-scores, kind="stable")[:12])


def test_user_without_ratings_gets_the_most_rated_films(planted):
    profile = fold_in_user(planted, np.array([], dtype=int), np.array([]))

    top, _ = recommend(planted, profile, n=3)

    assert list(top) == list(np.argsort(-planted.item_counts, kind="stable")[:3])


def test_predicted_ratings_stay_within_half_to_five_stars(planted):
    rng = np.random.default_rng(1)
    for extreme in (0.5, 5.0):
        rated = rng.choice(N_ITEMS, size=30, replace=False)
        profile = fold_in_user(planted, rated, np.full(30, extreme))

        predicted = predict_ratings(planted, profile, np.arange(N_ITEMS))

        assert predicted.min() >= 0.5 and predicted.max() <= 5.0


def test_predicted_ratings_follow_the_users_taste(planted):
    loved, hated = cluster_items(0)[:8], cluster_items(3)[:8]
    profile = fold_in_user(planted, np.r_[loved, hated], np.r_[np.full(8, 5.0), np.full(8, 0.5)])

    predicted = predict_ratings(planted, profile, np.r_[cluster_items(0)[8:], cluster_items(3)[8:]])

    assert predicted[:12].min() > predicted[12:].max()


def test_explanation_names_the_rated_film_from_the_same_cluster(planted):
    contributor, unrelated = cluster_items(1)[0], cluster_items(3)[0]
    profile = fold_in_user(planted, np.array([unrelated, contributor]), np.array([5.0, 5.0]))

    source, share = explain(planted, profile, cluster_items(1)[5])

    assert source == contributor
    assert 0.5 < share <= 1.0


def test_similar_items_come_from_the_same_cluster(planted):
    similar, _ = similar_items(planted, cluster_items(2)[3], n=10)

    assert cluster_items(2)[3] not in similar
    assert np.isin(similar, cluster_items(2)).all()


def test_joblib_dump_loads_memory_mapped_and_recommends_the_same(planted, tmp_path):
    path = tmp_path / "model.joblib"
    joblib.dump(planted, path)

    loaded = joblib.load(path, mmap_mode="r")

    assert isinstance(loaded.item_factors, np.memmap)
    assert isinstance(loaded.output_factors, np.memmap)
    assert loaded.item_factors.dtype == np.float32
    assert loaded.item_factors.flags["C_CONTIGUOUS"]
    profile = fold_in_user(loaded, cluster_items(0)[:5], np.full(5, 5.0))
    expected = recommend(planted, fold_in_user(planted, cluster_items(0)[:5], np.full(5, 5.0)))
    assert list(recommend(loaded, profile)[0]) == list(expected[0])
