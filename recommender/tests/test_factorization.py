"""The numeric core on planted data: no database, no Django."""

import joblib
import numpy as np
import pytest

from recommender.factorization import (
    CONTENT_BELOW_COUNT,
    ModelParams,
    ages_from_times,
    blend_rankings,
    coherent_order,
    explain,
    fold_in_user,
    predict_ratings,
    rank_for_user,
    recency_multipliers,
    recommend,
    similar_items,
    top_contributors,
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


def test_a_list_never_leads_with_a_film_predicted_below_the_floor(planted):
    scores = np.array([9.0, 8.0, 7.0, 6.0, 5.0, 4.0])
    predictions = np.array([3.0, 4.5, 3.4, 4.0, 3.6, 4.2])
    params = {**planted.params, "coherent_head": 3, "rating_emphasis": 0.0}
    model = type(planted)(**{**vars(planted), "params": params})

    order = coherent_order(model, scores, predictions)

    assert list(order[:3]) == [1, 3, 4]  # the best scores predicted at 3.5★ or more
    assert list(order[3:]) == [0, 2, 5]  # then the rest, still by score


def test_with_too_few_liked_films_the_liked_ones_still_come_first(planted):
    params = {**planted.params, "coherent_head": 5, "rating_emphasis": 0.0}
    model = type(planted)(**{**vars(planted), "params": params})

    order = coherent_order(model, np.array([3.0, 2.0, 1.0]), np.array([2.0, 4.0, 3.0]))

    assert list(order) == [1, 0, 2]


def test_ranked_list_keeps_every_film_above_the_floor_on_top(planted):
    loved, hated = cluster_items(0)[:8], cluster_items(3)[:8]
    profile = fold_in_user(planted, np.r_[loved, hated], np.r_[np.full(8, 5.0), np.full(8, 0.5)])

    items, _, predictions = rank_for_user(planted, profile, n=30)

    floor = planted.params["coherent_floor"]
    liked = predictions >= floor
    # Once a film below the floor shows, none above it follows.
    assert not (liked[1:] & ~liked[:-1]).any()
    np.testing.assert_allclose(predictions, predict_ratings(planted, profile, items))


def with_serving(model, **params):
    """The same trained model, serving with other parameters."""
    return model.serving_with(**params)


def test_new_ratings_weigh_more_than_an_old_history(planted):
    planted = with_serving(planted, recency_boost=3.0)
    history = cluster_items(0)[:10]
    new = cluster_items(2)[:3]
    items = np.r_[history, new]
    ratings = np.full(13, 5.0)
    times = np.r_[np.full(10, 0.0), np.full(3, 30 * 86_400.0)]  # a month later

    even = fold_in_user(planted, items, ratings)
    recent = fold_in_user(planted, items, ratings, ages_from_times(times))
    top_even, _ = recommend(planted, even, n=10)
    top_recent, _ = recommend(planted, recent, n=10)

    assert np.isin(top_recent, cluster_items(2)).sum() > np.isin(top_even, cluster_items(2)).sum()


def test_ratings_made_at_the_same_moment_weigh_the_same(planted):
    planted = with_serving(planted, recency_boost=3.0)
    items, ratings = cluster_items(1)[:5], np.full(5, 4.0)

    profile = fold_in_user(planted, items, ratings, ages_from_times(np.full(5, 60.0)))
    plain = fold_in_user(planted, items, ratings)

    expected = 1 + planted.params["recency_boost"]
    np.testing.assert_allclose(profile.user_vector / plain.user_vector, expected, rtol=0.01)


def test_a_reason_must_be_related_or_there_is_none(planted):
    same, other = cluster_items(1)[0], cluster_items(3)[0]
    profile = fold_in_user(planted, np.array([other, same]), np.array([5.0, 5.0]))
    target = cluster_items(1)[5]

    related = explain(planted, profile, target, lambda rated: rated == same)
    nothing = explain(planted, profile, target, lambda rated: False)

    assert related[0] == same
    assert nothing is None


def test_top_contributors_are_ordered_and_share_the_score(planted):
    rated = np.r_[cluster_items(1)[:4], cluster_items(3)[:2]]
    profile = fold_in_user(planted, rated, np.array([5.0, 4.0, 3.0, 5.0, 5.0, 5.0]))

    leaders = top_contributors(planted, profile, cluster_items(1)[10], n=3)

    assert len(leaders) == 3
    assert all(item in cluster_items(1) for item, _ in leaders)
    shares = [share for _, share in leaders]
    assert shares == sorted(shares, reverse=True) and sum(shares) <= 1.0 + 1e-6


def test_other_parts_of_a_series_lead_more_like_this(planted):
    series = np.zeros(planted.n_items, dtype=np.int32)
    film, sequel = cluster_items(0)[0], cluster_items(3)[7]
    series[[film, sequel]] = 1

    similar, _ = similar_items(planted, film, n=10, series=series)

    assert similar[0] == sequel


def test_rarely_rated_films_blend_in_content_similarity(planted):
    rare = int(
        np.flatnonzero(planted.item_counts > 0)[
            np.argmin(planted.item_counts[planted.item_counts > 0])
        ]
    )
    counts = planted.item_counts.copy()
    counts[rare] = 1
    model = type(planted)(**{**vars(planted), "item_counts": counts})
    by_content = cluster_items(3)[:5] if rare not in cluster_items(3) else cluster_items(2)[:5]

    blended, _ = similar_items(model, rare, n=10, by_content=by_content)
    plain, _ = similar_items(model, rare, n=10)

    assert counts[rare] < CONTENT_BELOW_COUNT
    assert np.isin(by_content, blended).sum() >= 4
    assert not np.isin(by_content, plain).any()


def test_blend_rankings_leans_on_the_heavier_side():
    first, second = np.array([1, 2, 3]), np.array([7, 8, 9])

    assert list(blend_rankings(first, second, 0.9, 3)) == [1, 2, 3]
    assert list(blend_rankings(first, second, 0.1, 3)) == [7, 8, 9]


def test_predicted_ratings_use_the_taste_factors(planted):
    loved, hated = cluster_items(0)[:8], cluster_items(3)[:8]
    profile = fold_in_user(planted, np.r_[loved, hated], np.r_[np.full(8, 5.0), np.full(8, 0.5)])
    without = type(planted)(**{**vars(planted), "params": {**planted.params, "taste_factors": 0}})
    plain = fold_in_user(without, np.r_[loved, hated], np.r_[np.full(8, 5.0), np.full(8, 0.5)])
    targets = np.r_[cluster_items(0)[8:], cluster_items(3)[8:]]

    with_taste = predict_ratings(planted, profile, targets)
    neighbours_only = predict_ratings(without, plain, targets)

    assert len(profile.taste) == min(16, planted.item_factors.shape[1]) and not len(plain.taste)
    # The factor term widens the gap between the loved and the hated cluster.
    gap = with_taste[:12].mean() - with_taste[12:].mean()
    assert gap > neighbours_only[:12].mean() - neighbours_only[12:].mean()


def test_obscure_lists_lead_with_films_predicted_at_four_stars(planted, monkeypatch):
    profile = fold_in_user(planted, cluster_items(0)[:6], np.full(6, 4.5))

    def alternating(model, profile, items):
        # Every other candidate predicted 3.6 stars, the rest 4.2.
        return np.where(np.arange(len(items)) % 2, 4.2, 3.6).astype(np.float32)

    monkeypatch.setattr("recommender.factorization.predict_ratings", alternating)
    _, _, balanced = rank_for_user(planted, profile, n=20)
    _, _, obscure = rank_for_user(planted, profile, n=20, popularity_shift=-1.0)

    assert (balanced[:10] < 4.0).any()
    gem = obscure >= 4.0
    assert gem[0] and not (gem[1:] & ~gem[:-1]).any()


def test_one_new_rating_nudges_a_list_and_a_run_of_them_moves_it(planted):
    run = planted.params["recency_run"]
    boost = planted.params["recency_boost"]
    old = np.full(10, 3.0)  # days: the member's history, long settled

    one = recency_multipliers(planted, np.r_[old, 0.0], 11)
    five = recency_multipliers(planted, np.r_[old, np.zeros(5)], 15)

    assert one[-1] == pytest.approx(1 + boost / run, rel=0.01)
    np.testing.assert_allclose(five[-5:], 1 + boost, rtol=0.01)
    np.testing.assert_allclose(np.r_[one[:10], five[:10]], 1.0, atol=0.01)


def test_within_one_sitting_the_films_rated_last_count_more(planted):
    history, new = cluster_items(0)[:6], cluster_items(2)[:5]
    items = np.r_[history, new]
    ratings = np.full(11, 5.0)
    times = np.arange(11) * 30.0  # eleven ratings half a minute apart, the five new last

    plain = fold_in_user(planted, items, ratings)
    sitting = fold_in_user(planted, items, ratings, ages_from_times(times))
    top_plain, _ = recommend(planted, plain, n=10)
    top_sitting, _ = recommend(planted, sitting, n=10)

    weights = sitting.contribution_weights / plain.contribution_weights
    assert weights[-1] > weights[-5] > weights[0]
    assert np.isin(top_sitting, cluster_items(2)).sum() > np.isin(top_plain, cluster_items(2)).sum()


def _unstructured_ratings(n_users=100, n_items=41, per_user=6, seed=3):
    """Ratings with no taste structure among films 0–39; film 40 is never rated."""
    rng = np.random.default_rng(seed)
    users = np.repeat(np.arange(n_users), per_user)
    items = np.concatenate(
        [rng.choice(n_items - 1, size=per_user, replace=False) for _ in range(n_users)]
    )
    ratings = rng.choice([2.0, 3.0, 4.0, 5.0], size=len(items)).astype(np.float32)
    return users, items, ratings, n_users, n_items


def test_content_rows_teach_the_model_which_films_go_together():
    # Two "studios" of ten films each (0–9, 10–19), and film 40, unrated, in the first.
    features = np.array([0] * 10 + [1] * 10 + [0])
    films = np.array([*range(20), 40])
    data = _unstructured_ratings()
    params = ModelParams(n_factors=8)
    plain = train_model(*data, params=params)
    with_content = train_model(*data, params=params, content=(features, films))
    fan = (np.arange(5), np.full(5, 5.0))  # loves half of the first studio

    top_plain, _ = recommend(plain, fold_in_user(plain, *fan), n=5)
    top_content, _ = recommend(with_content, fold_in_user(with_content, *fan), n=5)

    assert len(set(top_content) & {5, 6, 7, 8, 9}) >= 4
    assert len(set(top_plain) & {5, 6, 7, 8, 9}) <= 1
    # Only the factors see content: counts, biases and the unrated film stay as they were.
    np.testing.assert_array_equal(with_content.item_counts, plain.item_counts)
    np.testing.assert_allclose(with_content.item_biases, plain.item_biases)
    assert 40 in with_content.untrained_items


def test_content_matrix_counts_a_membership_once_and_drops_single_film_features():
    from recommender.factorization import content_matrix

    matrix = content_matrix(np.array([0, 0, 0, 1, 2, 2]), np.array([3, 3, 4, 5, 1, 2]), 6, 5.0)

    assert matrix.shape == (2, 6)  # feature 1 has one film: dropped
    np.testing.assert_array_equal(matrix.toarray()[0], [0, 0, 0, 5, 5, 0])
    np.testing.assert_array_equal(matrix.toarray()[1], [0, 5, 5, 0, 0, 0])


def test_more_like_this_wants_a_few_ratings_before_vouching_for_a_film():
    users, items, ratings, n_users, n_items = _unstructured_ratings()
    # Film 40 is rated once and shares a studio with films 0–9.
    users, items = np.append(users, 0), np.append(items, 40)
    ratings = np.append(ratings, 5.0).astype(np.float32)
    studio = (np.zeros(11, dtype=int), np.array([*range(10), 40]))
    model = train_model(
        users, items, ratings, n_users, n_items, params=ModelParams(n_factors=8), content=studio
    )

    guarded, _ = similar_items(model, 0, 5)
    unguarded, _ = similar_items(model.serving_with(similar_count_prior=0.0), 0, 5)

    assert 40 in unguarded
    assert 40 not in guarded
    assert model.item_counts[guarded].min() >= 10
