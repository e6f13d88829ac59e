"""Recommendations for a group watching together: each member's scores, combined.

Every member is folded into the model on their own (a guest from ten quick
ratings, like a new member). A member's *rank relevance* of a film comes from
their rank of it: ``RANK_OFFSET / (rank + RANK_OFFSET)`` (1 for their best
film), so a member whose scores run high does not outweigh one whose scores run
low. The candidates are each member's best films and the group's best by mean
rank relevance. Predicted ratings cost far more than scores (each gathers the
member's rated items), so a strategy asks for them only for the few films it
needs. A strategy then orders the candidates:

* ``balanced`` (the default): the list is built one film at a time; each film
  is the one with the largest relevance summed over members, each member
  weighted ``1 / (1 + what the list already gives them)``. A member the list
  has served little counts more at the next place, so everyone finds films of
  their own near the top, while films the whole group likes still lead.
  Balanced's relevance is the rank relevance times the square root of the
  member's score divided by their best: the rank keeps members on one scale,
  the score says how close the film comes to their best (a member whose scores
  are flat is nearly as keen on their 30th film as on their first; one whose
  scores fall fast is not). How much it takes turns depends on how far the
  members' tastes agree (``agreement``: the overlap of their best 50): a group
  whose tastes are apart (up to ``AGREEMENT_LOW``) takes turns in full, one
  whose tastes agree (from ``AGREEMENT_HIGH``) gets the plain average of scores,
  which serves all of them, and in between the relevance and the weights go
  linearly from one to the other (on the protocol, full turns cost pairs who
  agree on their minimum; random groups agree about 0.1, similar pairs 0.27).
  A film someone is predicted to rate below ``MISERY_FLOOR`` comes after every
  film nobody is predicted to dislike, whatever the agreement.
* ``fairest``: the group's best candidates (by mean rank relevance, twice as
  many as the list shows) by their lowest predicted rating (least misery);
* ``average`` ("happiest on average"): the same candidates by their mean
  predicted rating.

``average_of_scores`` (mean score) is the plain baseline that the protocol
in ``recommender.group_evaluation`` compares them with. Pure numpy: the site
and the protocol run the same functions.
"""

from __future__ import annotations

import numpy as np

from recommender.factorization import (
    OBSCURE_MIN_COUNT,
    RecommenderModel,
    UserProfile,
    predict_ratings,
    score_items,
    top_n,
)

STRATEGIES = {
    "balanced": "Balanced",
    "fairest": "Fairest",
    "average": "Happiest on average",
}
DEFAULT_STRATEGY = "balanced"
MIN_GROUP = 2
MAX_GROUP = 8
# Each member's best this many films are candidates, and the group's best as many.
POOL_PER_MEMBER = 100
# A member's film at rank r (0 = best) has relevance RANK_OFFSET / (r + RANK_OFFSET).
RANK_OFFSET = 10
# Balanced: nobody should be stuck watching a film they are predicted to rate below this.
MISERY_FLOOR = 2.0
# Balanced: members' agreement is the mean overlap (Jaccard) of each pair's best this many
# candidates; up to AGREEMENT_LOW the list takes turns in full, from AGREEMENT_HIGH on it is
# the plain average of scores, in between it goes linearly from one to the other (chosen on
# the group protocol's seeds 0-1; docs/benchmarks.md).
AGREEMENT_TOP = 50
AGREEMENT_LOW = 0.2
AGREEMENT_HIGH = 0.4
# Fairest and happiest on average reorder this many times as many films as they list.
PREDICTED_POOL_FACTOR = 2


def member_scores(
    model: RecommenderModel,
    profiles: list[UserProfile],
    excluded: np.ndarray,
    popularity_shift: float = 0.0,
) -> np.ndarray:
    """``(members, items)`` ranking scores, each member's divided by their best (0–1).

    Excluded items (a boolean mask) get -inf. A member without ratings is given
    popularity, as For you does from the first click. A ``popularity_shift`` (the
    popular ↔ obscure control) multiplies scores by ``count ** shift``.
    """
    counts = model.item_counts.astype(np.float32)
    popular = np.log1p(counts)
    if popularity_shift < 0:
        # One or two ratings are too little to call a film a hidden gem.
        counts = np.maximum(counts, OBSCURE_MIN_COUNT)
    shift = np.maximum(counts, 1) ** np.float32(popularity_shift) if popularity_shift else 1.0
    scores = np.empty((len(profiles), model.n_items), dtype=np.float32)
    for row, profile in enumerate(profiles):
        member = score_items(model, profile) if len(profile.item_indices) else popular.copy()
        np.maximum(member, 0, out=member)
        member *= shift
        member[excluded] = 0
        member /= max(float(member.max()), 1e-12)
        scores[row] = member
    scores[:, excluded] = -np.inf
    return scores


def group_exclusions(model: RecommenderModel, profiles: list[UserProfile], exclude=None):
    """Boolean mask of items no group list may show: anyone's rated, ``exclude``, untrained."""
    excluded = np.zeros(model.n_items, dtype=bool)
    for profile in profiles:
        excluded[profile.item_indices] = True
    excluded[model.untrained_items] = True
    if exclude is not None and len(exclude):
        excluded[np.asarray(exclude, dtype=np.int64)] = True
    return excluded


def candidates(scores: np.ndarray, pool: int = POOL_PER_MEMBER) -> np.ndarray:
    """Item indices: each member's best ``pool`` and the group's best ``pool`` by mean score."""
    picked = [top_n(row.copy(), pool) for row in scores]
    picked.append(top_n(scores.mean(axis=0), pool))
    return np.unique(np.concatenate(picked))


def relevance_by_rank(scores: np.ndarray) -> np.ndarray:
    """Each member's relevance of the candidates (columns) from their rank among them.

    Every member's own best ``POOL_PER_MEMBER`` are candidates, so these ranks
    are their ranks in the whole catalogue as far as it matters.
    """
    ranks = np.argsort(np.argsort(-scores, axis=1, kind="stable"), axis=1, kind="stable")
    return RANK_OFFSET / (ranks + RANK_OFFSET).astype(np.float32)


def balanced_relevance(scores: np.ndarray) -> np.ndarray:
    """Balanced's relevance: rank relevance times the square root of the (0–1) score.

    Chosen on the group protocol's seeds 0–1 over rank relevance alone: a higher
    mean nDCG@20 and a higher minimum for pairs (docs/benchmarks.md).
    """
    return relevance_by_rank(scores) * np.sqrt(np.maximum(scores, 0)).astype(np.float32)


def agreement(scores: np.ndarray) -> float:
    """How alike the members' tastes are: mean Jaccard overlap of their best candidates.

    Each pair of members' best ``AGREEMENT_TOP`` candidates (half the candidates
    if there are fewer than twice that; the site has at least ``POOL_PER_MEMBER``),
    |A ∩ B| / |A ∪ B|, averaged over pairs (1 for one member). Measured on the
    group protocol: about 0.1 for random groups of any size, 0.27 for similar
    pairs, 0.19 and 0.13 for similar groups of 4 and 8.
    """
    if len(scores) < 2:
        return 1.0
    top = max(1, min(AGREEMENT_TOP, scores.shape[1] // 2))
    best = np.argpartition(-scores, top - 1, axis=1)[:, :top]
    chosen = np.zeros(scores.shape, dtype=np.float32)
    np.put_along_axis(chosen, best, 1.0, axis=1)
    shared = chosen @ chosen.T
    pairs = np.triu_indices(len(scores), 1)
    return float(np.mean(shared[pairs] / (2 * top - shared[pairs])))


def agreement_share(value: float) -> float:
    """How far balanced goes toward the plain average of scores (0–1) at this agreement."""
    return min(1.0, max(0.0, (value - AGREEMENT_LOW) / (AGREEMENT_HIGH - AGREEMENT_LOW)))


def order_candidates(scores: np.ndarray, predict, strategy: str, n: int) -> np.ndarray:
    """Positions of the top ``n`` candidates (columns) in the order ``strategy`` lists them.

    ``scores`` are the members' normalised scores of the candidates, ``(members,
    candidates)``; ``predict(columns)`` gives the members' predicted ratings of
    those columns, ``(members, len(columns))``: it is asked only about the few
    films a strategy needs, since predicting costs far more than scoring.
    """
    if strategy == "average_of_scores":
        return np.argsort(-scores.mean(axis=0), kind="stable")[:n]
    if strategy == "balanced":
        share = agreement_share(agreement(scores))
        relevance = (1 - share) * balanced_relevance(scores) + share * np.maximum(scores, 0)
        return _balanced(relevance, predict, n, turn_taking=1 - share)
    relevance = relevance_by_rank(scores)
    if strategy not in ("fairest", "average"):
        raise ValueError(f"Unknown group strategy {strategy!r}")
    pool = np.argsort(-relevance.mean(axis=0), kind="stable")[: PREDICTED_POOL_FACTOR * n]
    ratings = predict(pool)
    key = ratings.min(axis=0) if strategy == "fairest" else ratings.mean(axis=0)
    # Equal predictions go to the film the group finds more relevant (pool order).
    return pool[np.argsort(-key, kind="stable")][:n]


def _balanced(relevance: np.ndarray, predict, n: int, turn_taking: float = 1.0) -> np.ndarray:
    """The balanced list; a film someone would dislike goes last.

    The list is built without the films found disliked so far; the films on it
    whose predictions are not known yet are predicted in one call (each call
    gathers every member's rated items, so one per round, not one per film).
    A round that finds no new disliked film is the list.
    """
    disliked = np.zeros(relevance.shape[1], dtype=bool)
    lowest = {}
    while True:
        picked = _greedy(relevance, ~disliked, n, turn_taking)
        unknown = [column for column in picked.tolist() if column not in lowest]
        if unknown:
            predicted = predict(np.array(unknown)).min(axis=0).tolist()
            lowest.update(zip(unknown, predicted, strict=True))
        found = [column for column in picked.tolist() if lowest[column] < MISERY_FLOOR]
        if not found:
            break
        disliked[found] = True
    return np.concatenate([picked, np.flatnonzero(disliked)])[:n]


def _greedy(
    relevance: np.ndarray, allowed: np.ndarray, n: int, turn_taking: float = 1.0
) -> np.ndarray:
    """Up to ``n`` allowed columns, each the best for the members the list has served least.

    Members are weighted ``1 / (1 + turn_taking · served)``: with ``turn_taking``
    0 the list is the columns by summed relevance.
    """
    served = np.zeros(relevance.shape[0], dtype=np.float32)
    available = allowed.copy()
    picked = []
    while len(picked) < n and available.any():
        totals = (1.0 / (1.0 + turn_taking * served)) @ relevance
        totals[~available] = -np.inf
        best = int(np.argmax(totals))
        available[best] = False
        picked.append(best)
        served += relevance[:, best]
    return np.array(picked, dtype=np.int64)


def rank_for_group(
    model: RecommenderModel,
    profiles: list[UserProfile],
    n: int = 50,
    exclude: np.ndarray | None = None,
    strategy: str = DEFAULT_STRATEGY,
    popularity_shift: float = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    """The group's top-``n`` items and every member's predicted ratings of them.

    Returns ``items`` (n,) and ``predictions`` (members, n). Nothing anyone rated,
    nothing in ``exclude`` (item indices) and no untrained item is listed.
    """
    excluded = group_exclusions(model, profiles, exclude)
    scores = member_scores(model, profiles, excluded, popularity_shift)
    pool = candidates(scores, max(n, POOL_PER_MEMBER))
    pool = pool[np.isfinite(scores[0, pool])]
    predict = candidate_predictor(model, profiles, pool)
    order = order_candidates(scores[:, pool], predict, strategy, n)
    return pool[order], predict(order)


def candidate_predictor(model: RecommenderModel, profiles: list[UserProfile], pool: np.ndarray):
    """``predict(columns)``: the members' predicted ratings of ``pool[columns]``."""

    def predict(columns):
        items = pool[np.asarray(columns, dtype=np.int64)]
        return np.vstack([predict_ratings(model, profile, items) for profile in profiles])

    return predict
