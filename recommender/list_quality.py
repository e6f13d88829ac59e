"""How the lists feel (issue #14), measured on the P1 members of BRIEF.md.

Beside P1–P3's accuracy, each measure here checks one promise of the lists,
before (the site's earlier behaviour: raw score order, no recency, the top
contributor as the reason, the raw item row as "more like this") and after
(what the site serves now), through the same model functions the site calls:

* coherence: Spearman correlation between list order and predicted rating, and
  how often a top 20 shows a film predicted below 3.5★ although the candidates
  held 20 above;
* reactivity: after five new 5★ ratings of a genre the member rarely rated,
  that genre's share of their top 20;
* reasons: cards whose "because you rated" film is among the three top
  contributors and shares a genre with the recommendation;
* more like this: films with another part of their series (by title) that find
  one in their top 12; genre overlap of the lists of films rated < 10 times;
* obscurity: median rating count of the top 20 at each popular ↔ obscure step;
* calibration: predicted against actual rating of the hidden films by their rank.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.stats

from recommender import content
from recommender.evaluation import CodedRatings, encode_ratings, held_out_splits, train_on
from recommender.factorization import (
    CONTENT_BELOW_COUNT,
    OBSCURE_MIN_COUNT,
    ModelParams,
    ages_from_times,
    explain,
    fold_in_user,
    predict_ratings,
    rank_for_user,
    recommend,
    similar_items,
    top_contributors,
)

TOP = 20
MORE_LIKE_THIS = 12
# "More like this" of the most rated films: how many of its films have too few
# ratings to vouch for (fewer than OBSCURE_MIN_COUNT).
MOST_RATED = 500
NEW_RATINGS = 5
# Popular ↔ obscure steps as For you offers them (see serving.POPULARITY_SHIFTS).
POPULARITY_STEPS = {-2: -1.0, -1: -0.4, 0: 0.0, 1: 0.3, 2: 0.6}


@dataclass
class ItemCatalog:
    """What the measures know of each item code: genres, series, content features."""

    genre_masks: np.ndarray  # int64 bit mask per item
    genre_names: list[str]
    series: np.ndarray  # int32 series id per item, 0 for none
    features: list[list[str]]  # content features per item (genres, tags, decade)


def item_catalog(coded: CodedRatings, movies: pd.DataFrame, tags: pd.DataFrame | None):
    """An :class:`ItemCatalog` from MovieLens ``movies.csv`` (and ``tags.csv``) frames."""
    movies = movies.set_index("movieId").reindex(coded.movie_ids)
    titles = movies["title"].fillna("").tolist()
    genre_lists = [
        [] if not isinstance(g, str) or g == "(no genres listed)" else g.split("|")
        for g in movies["genres"]
    ]
    genre_names = sorted({genre for genres in genre_lists for genre in genres})
    bit = {genre: 1 << index for index, genre in enumerate(genre_names)}
    masks = np.array([sum(bit[g] for g in genres) for genres in genre_lists], dtype=np.int64)
    years = movies["title"].str.extract(r"\((\d{4})\)\s*$")[0].astype(float).fillna(0)
    features = [
        [f"genre:{genre}" for genre in genres] + [content.decade_feature(int(year))]
        for genres, year in zip(genre_lists, years, strict=True)
    ]
    if tags is not None:
        position = {movie_id: i for i, movie_id in enumerate(coded.movie_ids.tolist())}
        counted = tags.assign(tag=tags["tag"].astype(str).str.lower().str.strip())
        counted = counted.groupby(["movieId", "tag"]).size()
        for (movie_id, tag), count in counted.items():
            if movie_id in position:
                repeats = min(count, content.MAX_TAG_REPEATS)
                features[position[movie_id]].extend([f"tag:{tag}"] * repeats)
    return ItemCatalog(masks, genre_names, content.series_ids(titles), features)


OLD_SERVING = {
    "recency_boost": 0.0,
    "rating_emphasis": 0.0,
    "coherent_head": 0,
    "taste_factors": 0,
    "similar_popularity_exponent": 0.0,
    "similar_count_prior": 0.0,
}


def before_issue_14(params: ModelParams) -> ModelParams:
    """``params`` serving as the site did before issue #14 (training is the same)."""
    return dataclasses.replace(params, **OLD_SERVING)


def _members(coded: CodedRatings, seeds, params):
    for _, train, users in held_out_splits(coded, seeds):
        model = train_on(train, params)
        for user in users:
            if len(user.items) == 0:
                continue
            ages = None if user.times is None else ages_from_times(user.times)
            yield model, user, ages


def coherence(coded: CodedRatings, seeds, params: ModelParams | None = None) -> dict:
    """Spearman (list order vs predicted rating) and broken top-20 rule, before and after."""
    result = {"before": [], "after": [], "broken_before": [], "broken_after": []}
    for model, user, ages in _members(coded, seeds, params):
        old = model.serving_with(**OLD_SERVING)
        before_profile = fold_in_user(old, user.items, user.ratings)
        before_items, _ = recommend(old, before_profile, n=TOP)
        before = predict_ratings(old, before_profile, before_items)
        profile = fold_in_user(model, user.items, user.ratings, ages)
        _, _, after = rank_for_user(model, profile, n=TOP)
        pool_items, _ = recommend(model, profile, n=max(TOP, model.params["coherent_pool"]))
        enough = (predict_ratings(model, profile, pool_items) >= 3.5).sum() >= TOP
        for key, predictions in (("before", before), ("after", after)):
            rho = scipy.stats.spearmanr(-np.arange(len(predictions)), predictions).statistic
            if np.isfinite(rho):
                result[key].append(rho)
            result[f"broken_{key}"].append(bool(enough and (predictions < 3.5).any()))
    return {key: _mean(values) for key, values in result.items()}


def reactivity(
    coded: CodedRatings, catalog: ItemCatalog, seeds, params: ModelParams | None = None
) -> dict:
    """Share of a rarely rated genre in the top 20 before and after five new 5★ of it.

    The genre is, among the ten largest genres, the one the member rated least
    often; the five films are its most rated ones the member has not rated.
    """
    sizes = [
        (catalog.genre_masks & (1 << bit) != 0).sum() for bit in range(len(catalog.genre_names))
    ]
    largest = np.argsort(sizes)[::-1][:10]
    shares = {"before": [], "after": [], "after_without_recency": []}
    for model, user, ages in _members(coded, seeds, params):
        rated = np.concatenate([user.items, user.hidden_items])
        rated_masks = catalog.genre_masks[user.items]
        bit = 1 << int(min(largest, key=lambda b: ((rated_masks & (1 << int(b))) != 0).mean()))
        in_genre = (catalog.genre_masks & bit) != 0
        candidates = np.flatnonzero(in_genre & ~np.isin(np.arange(model.n_items), rated))
        new = candidates[np.argsort(-model.item_counts[candidates], kind="stable")][:NEW_RATINGS]
        items = np.concatenate([user.items, new])
        ratings = np.concatenate([user.ratings, np.full(len(new), 5.0, dtype=np.float32)])
        # The new ratings come a day after the member's newest (with minutes between).
        old_ages = np.zeros(len(user.items), dtype=np.float32) if ages is None else ages
        new_ages = np.concatenate([old_ages + 1, np.arange(len(new)) / (24 * 60)])
        exclude = user.hidden_items
        before, _, _ = rank_for_user(
            model, fold_in_user(model, user.items, user.ratings, ages), TOP, exclude
        )
        after, _, _ = rank_for_user(
            model, fold_in_user(model, items, ratings, new_ages), TOP, exclude
        )
        old = model.serving_with(recency_boost=0.0)
        without, _, _ = rank_for_user(
            old, fold_in_user(old, items, ratings, new_ages), TOP, exclude
        )
        shares["before"].append(in_genre[before].mean())
        shares["after"].append(in_genre[after].mean())
        shares["after_without_recency"].append(in_genre[without].mean())
    return {key: _mean(values) for key, values in shares.items()}


def reason_coherence(
    coded: CodedRatings, catalog: ItemCatalog, seeds, params: ModelParams | None = None
) -> dict:
    """Cards whose reason is a top-3 contributor sharing a genre, before and after."""
    counts = {"cards": 0, "before": 0, "after": 0, "after_with_reason": 0}
    for model, user, ages in _members(coded, seeds, params):
        profile = fold_in_user(model, user.items, user.ratings, ages)
        top, _, _ = rank_for_user(model, profile, TOP)
        for item in top.tolist():
            genres = catalog.genre_masks[item]
            counts["cards"] += 1
            old = explain(model, profile, item, among=1)
            leaders = [rated for rated, _ in top_contributors(model, profile, item, n=3)]
            if (
                old
                and old[0] in leaders
                and catalog.genre_masks[old[0]] & catalog.genre_masks[item]
            ):
                counts["before"] += 1
            new = explain(
                model,
                profile,
                item,
                lambda rated, genres=genres: catalog.genre_masks[rated] & genres,
            )
            if new:
                counts["after_with_reason"] += 1
                shares_genre = catalog.genre_masks[new[0]] & catalog.genre_masks[item]
                counts["after"] += bool(new[0] in leaders and shares_genre)
    cards = max(counts.pop("cards"), 1)
    return {key: value / cards for key, value in counts.items()}


def more_like_this(
    coded: CodedRatings, catalog: ItemCatalog, params: ModelParams | None = None
) -> dict:
    """Series parts found in the top 12, and genre overlap of rarely rated films' lists.

    One model trained on every rating, as the site serves "more like this".
    """
    model = train_on(coded, params)
    raw = model.serving_with(similar_popularity_exponent=0.0, similar_count_prior=0.0)
    trained = model.item_counts > 0
    series = np.where(trained, catalog.series, 0)
    ids, sizes = np.unique(series[series > 0], return_counts=True)
    in_series = np.flatnonzero(np.isin(series, ids[sizes > 1]))
    found = {"before": 0, "model_only": 0, "after": 0}
    for item in in_series.tolist():
        parts = np.flatnonzero(series == series[item])
        parts = parts[parts != item]
        lists = {
            "before": similar_items(raw, item, MORE_LIKE_THIS)[0],
            "model_only": similar_items(model, item, MORE_LIKE_THIS)[0],
            "after": similar_items(model, item, MORE_LIKE_THIS, series=series)[0],
        }
        for key, items in lists.items():
            found[key] += bool(np.isin(parts, items).any())
    vectors = content.tfidf_rows(catalog.features)
    low = np.flatnonzero(trained & (model.item_counts < CONTENT_BELOW_COUNT))
    overlap = {"before": [], "after": []}
    for item in low.tolist():
        similarity = (vectors[item] @ vectors.T).toarray().ravel()
        similarity[~trained] = 0
        by_content = np.argsort(-similarity, kind="stable")[: 2 * MORE_LIKE_THIS]
        by_content = by_content[similarity[by_content] > 0]
        lists = {
            "before": similar_items(raw, item, MORE_LIKE_THIS)[0],
            "after": similar_items(model, item, MORE_LIKE_THIS, by_content=by_content)[0],
        }
        for key, items in lists.items():
            if len(items):
                shares = (catalog.genre_masks[items] & catalog.genre_masks[item]) != 0
                overlap[key].append(shares.mean())
    thin = {"before": [], "unguarded": [], "after": []}
    unguarded = model.serving_with(similar_count_prior=0.0)
    for item in np.argsort(-model.item_counts, kind="stable")[:MOST_RATED].tolist():
        for key, serving in (("before", raw), ("unguarded", unguarded), ("after", model)):
            items = similar_items(serving, item, MORE_LIKE_THIS)[0]
            thin[key].append(np.mean(model.item_counts[items] < OBSCURE_MIN_COUNT))
    n_series = max(len(in_series), 1)
    return {
        **{f"popular_thin_{key}": _mean(value) for key, value in thin.items()},
        "series_films": len(in_series),
        **{f"series_{key}": value / n_series for key, value in found.items()},
        "low_count_films": len(low),
        **{f"genre_overlap_{key}": _mean(value) for key, value in overlap.items()},
    }


def obscurity(coded: CodedRatings, seeds, params: ModelParams | None = None) -> dict:
    """Median rating count of the top 20 at each popular ↔ obscure step."""
    counts = {step: [] for step in POPULARITY_STEPS}
    liked = {step: [] for step in POPULARITY_STEPS}
    catalog_counts = None
    for model, user, ages in _members(coded, seeds, params):
        catalog_counts = model.item_counts[model.item_counts > 0]
        profile = fold_in_user(model, user.items, user.ratings, ages)
        for step, shift in POPULARITY_STEPS.items():
            items, _, predictions = rank_for_user(model, profile, TOP, popularity_shift=shift)
            counts[step].extend(model.item_counts[items].tolist())
            liked[step].append((predictions >= 4.0).mean())
    return {
        "catalog_median": float(np.median(catalog_counts)),
        "steps": {
            step: {
                "median_count": float(np.median(counts[step])),
                "predicted_4": _mean(liked[step]),
            }
            for step in POPULARITY_STEPS
        },
    }


# Depth bands of a member's list for the calibration measure: first rank, last rank.
CALIBRATION_BANDS = ((1, 20), (21, 50), (51, 200), (201, None))


def calibration(coded: CodedRatings, seeds, params: ModelParams | None = None) -> dict:
    """Predicted against actual rating of the hidden films, by their rank in the list.

    Over P1's hidden ratings: for each depth band of the member's ranking, the
    mean prediction, the mean actual rating and the share actually rated ≥ 4. A
    list order that disagrees with calibrated predictions is the model ranking
    "will watch", not a miscalibration.
    """
    depth = max(last or 0 for _, last in CALIBRATION_BANDS)
    rows = []
    for model, user, ages in _members(coded, seeds, params):
        if len(user.hidden_items) == 0:
            continue
        profile = fold_in_user(model, user.items, user.ratings, ages)
        top, _ = recommend(model, profile, n=depth)
        ranks = np.full(model.n_items, depth + 1)
        ranks[top] = np.arange(1, len(top) + 1)
        predicted = predict_ratings(model, profile, user.hidden_items)
        rows.append(np.column_stack([ranks[user.hidden_items], predicted, user.hidden_ratings]))
    table = np.concatenate(rows) if rows else np.empty((0, 3))
    bands = {}
    for first, last in CALIBRATION_BANDS:
        inside = (table[:, 0] >= first) & (table[:, 0] <= (last or np.inf))
        picked = table[inside]
        bands[(first, last)] = {
            "n": int(inside.sum()),
            "predicted": _mean(picked[:, 1]),
            "actual": _mean(picked[:, 2]),
            "liked": _mean(picked[:, 2] >= 4.0),
        }
    return bands


def _mean(values):
    """The mean, or NaN when there is nothing to average (tiny test catalogs)."""
    return float(np.mean(values)) if len(values) else float("nan")


def list_quality(
    ratings: pd.DataFrame,
    movies: pd.DataFrame,
    tags: pd.DataFrame | None = None,
    *,
    seeds=range(5),
    params: ModelParams | None = None,
    content: pd.DataFrame | None = None,
) -> dict:
    """Every measure above on one data set."""
    coded = encode_ratings(ratings, content)
    catalog = item_catalog(coded, movies, tags)
    return {
        "coherence": coherence(coded, seeds, params),
        "reactivity": reactivity(coded, catalog, seeds, params),
        "reasons": reason_coherence(coded, catalog, seeds, params),
        "more_like_this": more_like_this(coded, catalog, params),
        "obscurity": obscurity(coded, seeds, params),
        "calibration": calibration(coded, seeds, params),
    }
