"""The group protocol: lists for groups of held-out MovieLens users, judged by each member.

Per seed, P1's split (``evaluation.held_out_splits``): the model trains on 80% of
users; each held-out user is folded in from 80% of their ratings. Held-out
users with a relevant hidden rating (≥ 4.0) are put in groups of 2, 4 and 8,
either at random or by similar taste (a random member, then the unassigned
members whose folded-in profiles are closest by cosine). Each group gets one
list of 20 films, none that any member folded in; every member's nDCG@20 is
computed against their own hidden ratings. A group's figures are the mean and
the minimum over its members; the table reports both, averaged over groups
and seeds, and each method's minimum less the average of scores' on the same
groups, with its standard error over groups. ``draws`` forms the groups that
many times per seed (the first draw is the protocol's own): the rows for 4 and
8 have few groups and their minima are mostly 0, so more draws of the same
held-out users tell methods apart that one draw cannot (the draws share users,
so the standard error is a lower bound).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from recommender.evaluation import encode_ratings, held_out_splits, train_on
from recommender.factorization import ModelParams, fold_in_user
from recommender.groups import (
    STRATEGIES,
    candidate_predictor,
    candidates,
    group_exclusions,
    member_scores,
    order_candidates,
)
from recommender.metrics import ndcg_and_recall

GROUP_SIZES = (2, 4, 8)
KINDS = ("random", "similar")
METHODS = ("popularity", "average_of_scores", *STRATEGIES)


@dataclass
class GroupResult:
    size: int
    kind: str  # "random" or "similar"
    method: str
    mean_ndcg: float  # a group's mean nDCG@n over its members, averaged over groups
    min_ndcg: float  # a group's lowest member nDCG@n, averaged over groups
    n_groups: int
    # The minimum less average_of_scores' minimum for the same group, averaged, and its
    # standard error over groups.
    min_vs_average: float
    min_vs_average_se: float


def form_groups(vectors: np.ndarray, size: int, kind: str, rng) -> list[np.ndarray]:
    """Positions of users in groups of ``size`` (a remainder smaller than ``size`` is dropped)."""
    order = rng.permutation(len(vectors))
    if kind == "random":
        return [order[i : i + size] for i in range(0, len(order) - size + 1, size)]
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    unit = vectors / np.maximum(norms, 1e-12)
    similarity = unit @ unit.T
    free = np.ones(len(vectors), dtype=bool)
    groups = []
    for first in order:
        if not free[first] or free.sum() < size:
            continue
        free[first] = False
        closest = np.argsort(-np.where(free, similarity[first], -np.inf), kind="stable")
        group = np.concatenate([[first], closest[: size - 1]])
        free[group] = False
        groups.append(group)
    return groups


def evaluate_groups(
    ratings: pd.DataFrame,
    params: ModelParams | None = None,
    *,
    seeds: Iterable[int] = range(5),
    sizes: Iterable[int] = GROUP_SIZES,
    n: int = 20,
    draws: int = 1,
    content: pd.DataFrame | None = None,
) -> list[GroupResult]:
    """The group protocol's table: one row per group size, kind and method.

    ``draws`` > 1 forms the groups again from the same seed's users (the first
    draw is always the protocol's own groups).
    """
    coded = encode_ratings(ratings, content)
    collected: dict[tuple[int, str, str], tuple[list, list]] = {}
    for seed, train, users in held_out_splits(coded, seeds):
        model = train_on(train, params)
        popularity = np.argsort(-model.item_counts, kind="stable")
        users = [user for user in users if len(user.relevant)]
        profiles = [fold_in_user(model, user.items, user.ratings) for user in users]
        vectors = np.vstack([profile.user_vector for profile in profiles])
        rng = np.random.default_rng(1000 + seed)
        for _draw in range(draws):
            for size in sizes:
                for kind in KINDS:
                    for group in form_groups(vectors, size, kind, rng):
                        members = [profiles[i] for i in group]
                        lists = _group_lists(model, members, popularity, n)
                        for method, top in lists.items():
                            scores = [ndcg_and_recall(top, users[i].relevant, n)[0] for i in group]
                            means, minimums = collected.setdefault((size, kind, method), ([], []))
                            means.append(float(np.mean(scores)))
                            minimums.append(float(np.min(scores)))
    results = []
    for (size, kind, method), (means, mins) in collected.items():
        gain = np.array(mins) - np.array(collected[(size, kind, "average_of_scores")][1])
        error = float(gain.std(ddof=1) / np.sqrt(len(gain))) if len(gain) > 1 else 0.0
        results.append(
            GroupResult(
                size,
                kind,
                method,
                float(np.mean(means)),
                float(np.mean(mins)),
                len(means),
                float(gain.mean()),
                error,
            )
        )
    return results


def _group_lists(model, profiles, popularity, n):
    """Each method's top-``n`` for one group, from one set of scores and predictions."""
    excluded = group_exclusions(model, profiles)
    scores = member_scores(model, profiles, excluded)
    pool = candidates(scores)
    pool = pool[np.isfinite(scores[0, pool])]
    predict = candidate_predictor(model, profiles, pool)
    lists = {"popularity": popularity[~excluded[popularity]][:n]}
    for method in METHODS[1:]:
        lists[method] = pool[order_candidates(scores[:, pool], predict, method, n)]
    return lists
