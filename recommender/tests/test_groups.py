"""The group strategies and the group protocol's groups (numpy only, no database)."""

import numpy as np
import pytest

from recommender.group_evaluation import form_groups
from recommender.groups import order_candidates, relevance_by_rank

# Two members, five candidates: the first loves 0-1, the second 3-4; 2 is fine for both.
SCORES = np.array(
    [
        [1.0, 0.95, 0.6, 0.1, 0.05],
        [0.05, 0.1, 0.6, 0.9, 1.0],
    ],
    dtype=np.float32,
)
PREDICTIONS = np.array(
    [
        [4.8, 4.7, 4.0, 2.5, 2.6],
        [2.4, 2.2, 4.1, 4.6, 4.9],
    ],
    dtype=np.float32,
)


def predict_from(predictions):
    return lambda columns: predictions[:, columns]


def test_fairest_orders_by_the_lowest_prediction():
    order = order_candidates(SCORES, predict_from(PREDICTIONS), "fairest", 5)
    assert order[0] == 2
    lowest = PREDICTIONS.min(axis=0)[order]
    assert list(lowest) == sorted(lowest, reverse=True)


def test_happiest_on_average_orders_by_the_mean_prediction():
    order = order_candidates(SCORES, predict_from(PREDICTIONS), "average", 5)
    means = PREDICTIONS.mean(axis=0)[order]
    assert list(means) == sorted(means, reverse=True)


def test_balanced_gives_each_member_one_of_their_own_films_near_the_top():
    order = order_candidates(SCORES, predict_from(PREDICTIONS), "balanced", 5)
    first_three = set(order[:3].tolist())
    assert first_three & {0, 1} and first_three & {3, 4}


def test_balanced_puts_a_film_someone_would_dislike_last():
    predictions = PREDICTIONS.copy()
    predictions[1, 0] = 1.0  # the second member would hate film 0
    order = order_candidates(SCORES, predict_from(predictions), "balanced", 5).tolist()
    assert order.index(0) == 4


def test_a_members_best_film_has_relevance_one_whatever_their_scale():
    relevance = relevance_by_rank(np.array([[10.0, 5.0], [0.2, 0.1]]))
    assert relevance[:, 0].tolist() == [1.0, 1.0]


def test_an_unknown_strategy_is_refused():
    with pytest.raises(ValueError):
        order_candidates(SCORES, predict_from(PREDICTIONS), "loudest", 5)


def test_similar_groups_gather_users_of_one_taste():
    vectors = np.array([[1, 0], [0.9, 0.1], [0, 1], [0.1, 0.9], [1, 0.05], [0.05, 1]])
    groups = form_groups(vectors, 3, "similar", np.random.default_rng(0))
    assert sorted(sorted(group.tolist()) for group in groups) == [[0, 1, 4], [2, 3, 5]]


def test_random_groups_use_each_user_once():
    groups = form_groups(np.eye(9), 4, "random", np.random.default_rng(0))
    members = np.concatenate(groups)
    assert len(groups) == 2 and len(set(members.tolist())) == 8
