"""The group strategies and the group protocol's groups (numpy only, no database)."""

import numpy as np
import pandas as pd
import pytest

from recommender.factorization import ModelParams
from recommender.group_evaluation import evaluate_groups, form_groups
from recommender.groups import AGREEMENT_HIGH, agreement, order_candidates, relevance_by_rank

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


def test_balanced_gives_members_with_the_same_scores_the_average_order():
    rng = np.random.default_rng(0)
    same = np.tile(rng.random(30, dtype=np.float32), (3, 1))
    fine = np.full((3, 30), 4.0, dtype=np.float32)
    balanced = order_candidates(same, predict_from(fine), "balanced", 30)
    average = order_candidates(same, predict_from(fine), "average_of_scores", 30)
    assert balanced.tolist() == average.tolist()


def test_balanced_prefers_a_film_a_member_nearly_loves_to_one_the_other_barely_likes():
    # After each member's best (0, 1): film 3 scores 0.97 of the first member's best,
    # film 2 only 0.2 of the second's. By rank alone both are second choices.
    scores = np.array([[1.0, 0.01, 0.02, 0.97], [0.02, 1.0, 0.2, 0.01]], dtype=np.float32)
    fine = np.full((2, 4), 4.0, dtype=np.float32)
    order = order_candidates(scores, predict_from(fine), "balanced", 4).tolist()
    assert order[:2] in ([0, 1], [1, 0]) and order[2:] == [3, 2]


def test_balanced_still_serves_a_member_whose_scores_fall_fast():
    # Tastes apart (no film in both members' best 20 of 40). The first member's scores are
    # flat (films 0-19, 1.0 down to 0.81); the second's fall fast (20 is 1.0, 21 only 0.3).
    first = np.concatenate([1.0 - 0.01 * np.arange(20), 0.05 - 0.001 * np.arange(20)])
    second = np.concatenate(
        [0.02 - 0.0005 * np.arange(20), [1.0, 0.3], 0.1 - 0.002 * np.arange(18)]
    )
    scores = np.array([first, second], dtype=np.float32)
    assert agreement(scores) == 0
    fine = np.full((2, 40), 4.0, dtype=np.float32)
    order = order_candidates(scores, predict_from(fine), "balanced", 40).tolist()
    # Their best is in the first two; their second comes before the first member's
    # twentieth, where the plain average puts it after all twenty.
    assert 20 in order[:2] and order.index(21) < order.index(19)
    average = order_candidates(scores, predict_from(fine), "average_of_scores", 40).tolist()
    assert average.index(21) > average.index(19)


def test_balanced_gives_members_whose_tastes_agree_the_average_order():
    rng = np.random.default_rng(1)
    shared = rng.random(200, dtype=np.float32)
    scores = np.clip(shared + rng.normal(0, 0.03, (4, 200)), 0, None).astype(np.float32)
    scores /= scores.max(axis=1, keepdims=True)
    assert agreement(scores) >= AGREEMENT_HIGH
    fine = np.full((4, 200), 4.0, dtype=np.float32)
    balanced = order_candidates(scores, predict_from(fine), "balanced", 30)
    average = order_candidates(scores, predict_from(fine), "average_of_scores", 30)
    assert balanced.tolist() == average.tolist()


def test_agreement_is_the_mean_overlap_of_the_members_best_candidates():
    scores = np.zeros((3, 200), dtype=np.float32)
    scores[0, :50] = scores[1, 25:75] = scores[2, 100:150] = 1 + np.arange(50)
    # Pairs: 25 of 75 shared, none, none.
    assert agreement(scores) == pytest.approx((25 / 75) / 3)
    assert agreement(scores[:1]) == 1


def test_balanced_puts_a_film_someone_would_dislike_last():
    predictions = PREDICTIONS.copy()
    predictions[1, 0] = 1.0  # the second member would hate film 0
    order = order_candidates(SCORES, predict_from(predictions), "balanced", 5).tolist()
    assert order.index(0) == 4


def test_balanced_puts_a_film_someone_would_dislike_last_when_tastes_agree_too():
    same = np.tile(np.linspace(1.0, 0.5, 10, dtype=np.float32), (2, 1))
    predictions = np.full((2, 10), 4.0, dtype=np.float32)
    predictions[1, 0] = 1.0  # both like film 0 best, but the second is predicted to hate it
    order = order_candidates(same, predict_from(predictions), "balanced", 10).tolist()
    assert order[-1] == 0 and order[:9] == list(range(1, 10))


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


def test_more_draws_form_more_groups_and_compare_each_with_the_average_on_the_same_groups():
    rng = np.random.default_rng(0)
    ratings = pd.DataFrame(
        [
            (user, movie, rng.integers(1, 11) / 2)
            for user in range(1, 81)
            for movie in range(1, 61)
            if rng.random() < 0.4
        ],
        columns=["userId", "movieId", "rating"],
    )
    params = ModelParams(n_factors=8)
    one = {(r.kind, r.method): r for r in evaluate_groups(ratings, params, seeds=[0], sizes=(2,))}
    two = {
        (r.kind, r.method): r
        for r in evaluate_groups(ratings, params, seeds=[0], sizes=(2,), draws=2)
    }
    for key, row in two.items():
        assert row.n_groups == 2 * one[key].n_groups
        average = two[(key[0], "average_of_scores")]
        assert row.min_vs_average == pytest.approx(row.min_ndcg - average.min_ndcg)
    assert two[("random", "average_of_scores")].min_vs_average_se == 0
