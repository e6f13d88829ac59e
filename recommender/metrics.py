"""Ranking metrics, one definition for the publish gate and the protocols of the brief."""

import numpy as np


def ndcg_and_recall(top, relevant, n=20):
    """nDCG@n and Recall@n of the ranked items ``top`` against the ``relevant`` ones.

    Binary relevance; the ideal list puts ``min(n, len(relevant))`` hits first, and
    recall divides the hits by that same number (the brief's protocols).
    """
    top = np.asarray(top)[:n]
    ideal_hits = min(n, len(relevant))
    discounts = 1.0 / np.log2(np.arange(2, n + 2))
    hits = np.isin(top, relevant)
    ndcg = float((hits * discounts[: len(top)]).sum() / discounts[:ideal_hits].sum())
    return ndcg, float(hits.sum() / ideal_hits)
