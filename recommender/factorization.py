"""The recommender's numeric core: one SVD of the rating matrix, served by fold-in.

Training takes a truncated SVD ``X ≈ U Σ Vᵀ`` of the raw rating matrix (missing = 0;
mean-centring ruins ranking). From it we build a low-rank version of EASE, the
closed-form item-to-item regression: with ``g = σ² / (σ² + λ)`` the item-item weight
matrix is ``W = V diag(g) Vᵀ`` with each target column divided by ``(1 - W_jj)^α``.
``W`` is never formed; it is stored as two ``n_items × k`` factors so that

* ranking a new user's whole catalogue is one matrix-vector product
  (``user_vector = Σ_i weight_i · item_factors[i]``, ``scores = output_factors @ user_vector``),
  which ``recommend`` reads only a leading block of (see :func:`prefix_top_n`),
* "because you rated X" is the term ``weight_X · W[X, j]`` of that sum,
* "more like this" for item ``i`` is the row ``W[i, :]``,
* the predicted rating is a baseline (global mean + item bias + a ridge-regularised
  user bias) plus a neighbourhood term: the user's residuals on their rated items,
  averaged with the positive weights ``W[i, j]`` of the closest of them, plus a
  factor term: those residuals regressed on the top singular vectors.

Nothing is stored per user, so a user who just rated something is scored at once.
The model holds only numpy arrays and scalars, so an uncompressed joblib dump can be
loaded with ``mmap_mode="r"`` and shared between web workers.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

import numpy as np
import scipy.linalg
import scipy.sparse as sp

FORMAT_VERSION = 1
MIN_RATING = 0.5
MAX_RATING = 5.0
# Towards obscure, the candidates are this many times as many, and a film needs
# OBSCURE_MIN_COUNT ratings to be offered as a gem (fewer are too little to go on).
OBSCURE_POOL_FACTOR = 5
OBSCURE_MIN_COUNT = 5
GEM_FLOOR = 4.0
# ... in this many first places of an obscure list.
GEM_HEAD = 20
# Two-stage ranking's margin for float32 rounding, relative to |output row| · |user vector|:
# far above the rounding of a 512-term float32 dot product (about 3e-5 at worst).
PREFIX_SLACK = 1e-4
# Films outside the pool that the bound cannot rule out are scored row by row; past
# this share of the catalogue, computing the other columns for every film is cheaper
# (at 87,427 films and k=128: 2,000 uncached rows take 0.53 ms, 5,000 rows 1.34 ms,
# the other 96 columns for all 1.34 ms).
REST_SHARE = 0.03
# "More like this": a film with fewer ratings blends in content similarity; other
# parts of its series lead the list; rank fusion damps the first places by this.
CONTENT_BELOW_COUNT = 10
SERIES_FIRST = 2
FUSION_OFFSET = 10


@dataclass(frozen=True)
class ModelParams:
    """Training and serving parameters (defaults tuned on ml-latest-small, P1 and P2)."""

    n_factors: int = 128
    # Ridge of the item regression, relative to the largest eigenvalue σ₁², so the
    # same value works at every data scale.
    relative_ridge: float = 0.01
    # Exponent of EASE's per-item normalisation 1 / (1 - W_jj): 1 is EASE, lower
    # values temper the boost it gives to rarely rated items.
    diagonal_exponent: float = 0.75
    # Scores are multiplied by (rating count)^this: slightly negative favours the tail.
    popularity_exponent: float = -0.1
    # A rated item's weight in the user's profile is rating^this: a 5★ counts far
    # more than a 3★, yet a low rating still says "I watched this kind of film".
    profile_exponent: float = 3.0
    item_bias_ridge: float = 5.0
    user_bias_ridge: float = 5.0
    # Predicted ratings add a factor term: the member's residuals regressed (ridge)
    # on the top singular vectors, weighted into the neighbourhood prediction.
    taste_factors: int = 16
    taste_ridge: float = 0.1
    taste_weight: float = 0.6
    # Fold-in weighs what a member rated last more (see recency_multipliers): a
    # rating's freshness halves every recency_half_life_days and with every
    # recency_half_life_ratings ratings made after it; it counts 1 + b · freshness
    # times, b = recency_boost scaled by the number of fresh ratings up to
    # recency_run. So five new 5★ of a genre move the list at once (3× that genre's
    # share of the top 20), in a new sitting or at the end of the same one, while one
    # new rating only nudges it, and the boost is gone by the next day. The site
    # measures ages from now (``ages_from_times(..., now=...)``): a member whose last
    # ratings are a day old gets the plain list (docs/benchmarks.md, "Recommendations
    # people trust").
    recency_boost: float = 4.0
    recency_half_life_days: float = 2 / 24
    recency_run: float = 5.0
    recency_half_life_ratings: float = 10.0
    # Lists can put films predicted at least coherent_floor stars first in their
    # first coherent_head places and multiply scores by (predicted / 5)^rating_emphasis.
    # Off by default: both cost P1 nDCG@20 more than the brief's margin allows
    # (docs/benchmarks.md); "sort by predicted rating" orders a list by its numbers.
    coherent_floor: float = 3.5
    coherent_head: int = 0
    coherent_pool: int = 50
    rating_emphasis: float = 0.0
    # "More like this" divides W[i, j] by count_j^this and multiplies it by
    # count_j / (count_j + similar_count_prior) (see similar_items).
    similar_popularity_exponent: float = 0.3
    similar_count_prior: float = 3.0
    # Content rows (see train_model): each TMDB keyword or production company is one
    # more row of the training matrix, a pseudo-member who rated each of its films
    # content_weight. Films sharing them then share factors even with few ratings
    # in common (P1 nDCG@20 +1.9 % on ml-latest-small; docs/benchmarks.md).
    content_weight: float = 5.0
    # Two-stage ranking (prefix_top_n): every film is first scored with the first
    # score_prefix factors, then the best score_pool of them exactly. 0 turns it off.
    # Training turns it off for a model whose held-out members' top 50s the bound
    # settles less often than score_prefix_min_settled: each unsettled list costs
    # more than the full product (docs/benchmarks.md, "Two-stage ranking").
    score_prefix: int = 32
    score_pool: int = 500
    score_prefix_min_settled: float = 0.9
    n_neighbors: int = 20
    neighbor_weight_exponent: float = 1.5
    neighbor_shrinkage: float = 0.003
    # Randomised SVD: extra columns and power iterations (accuracy of the top factors).
    oversampling: int = 16
    power_iterations: int = 3
    seed: int = 0


# Below this many ratings the factorization is cheap enough to keep (nearly) full
# rank, which ranks best there (P1 nDCG@20 on ml-latest-small: 0.348 at k=512,
# 0.340 at k=128); above it k=128 keeps fold-in within the latency budget.
# Small models also rank with the full product: with few members the first factors
# carry too little of a score for the prefix bound to settle the top 50 (on
# ml-latest-small it did for 0–2 % of P1's members), and falling back costs more.
SMALL_DATA_RATINGS = 2_000_000


def params_for_size(n_ratings: int) -> ModelParams:
    """The parameters the site trains with for a data set of ``n_ratings``."""
    if n_ratings < SMALL_DATA_RATINGS:
        return ModelParams(n_factors=512, score_prefix=0)
    return ModelParams(n_factors=128)


@dataclass
class RecommenderModel:
    """A trained model: plain numpy arrays and scalars only (mmap-friendly)."""

    item_factors: np.ndarray  # (n_items, k) float32: V · diag(g), the input side of W
    # (n_items, k) float32: V / (1 - W_jj)^alpha, the output side of W. Fortran order:
    # scoring the catalogue then streams it column by column, measured 2x faster.
    output_factors: np.ndarray
    popularity_weights: np.ndarray  # (n_items,) float32: rating count^popularity_exponent
    item_counts: np.ndarray  # (n_items,) int32: ratings per item in training
    item_biases: np.ndarray  # (n_items,) float32
    untrained_items: np.ndarray  # item indices with no training rating: never recommended
    singular_values: np.ndarray  # (k,) float32, for diagnostics
    global_mean: float
    params: dict = field(default_factory=dict)
    format_version: int = FORMAT_VERSION
    training_seconds: float = 0.0
    # For two-stage ranking (prefix_top_n); None in models trained before it, which
    # rank with the full product. (n_items,) float32 each:
    # 1 / (1 - W_jj)^alpha, so output_factors[j] = item_factors[j] / shrink * this,
    output_scales: np.ndarray | None = None
    # and popularity weight × |output_factors[j, score_prefix:]| and × |output_factors[j]|.
    tail_norms: np.ndarray | None = None
    row_norms: np.ndarray | None = None

    @property
    def n_items(self) -> int:
        return self.item_factors.shape[0]

    def serving_with(self, **params) -> RecommenderModel:
        """The same trained arrays, serving with some parameters changed."""
        return replace(self, params={**self.params, **params})


@dataclass
class UserProfile:
    """A user folded into a model: what they rated and the quantities derived from it."""

    item_indices: np.ndarray  # (n,) int
    ratings: np.ndarray  # (n,) float32
    profile_weights: np.ndarray  # (n,) float32: rating ** profile_exponent
    user_vector: np.ndarray  # (k,) float32: Σ contribution_weights · item_factors[rated]
    user_bias: float
    residuals: np.ndarray  # (n,) float32: rating - (global mean + item bias + user bias)
    taste: np.ndarray  # (taste_factors,) float32: residuals regressed on singular vectors
    contribution_weights: np.ndarray  # (n,) float32: profile weight × recency multiplier


def train_model(
    user_codes: np.ndarray,
    item_codes: np.ndarray,
    ratings: np.ndarray,
    n_users: int,
    n_items: int,
    *,
    params: ModelParams | None = None,
    content: tuple[np.ndarray, np.ndarray] | None = None,
) -> RecommenderModel:
    """Train on integer-coded ratings (COO arrays); items never rated get zero factors.

    ``content`` is (feature codes, item codes): which films each content feature
    (a keyword, a company) has. Each feature becomes a row of the factorized matrix
    with ``content_weight`` for its films, so the item model learns that films
    sharing features go together; only the factors see these rows, not the
    biases, counts or popularity, and a film with content but no rating stays
    unrecommendable.
    """
    params = params or ModelParams()
    started = time.perf_counter()
    user_codes = np.asarray(user_codes, dtype=np.int32)
    item_codes = np.asarray(item_codes, dtype=np.int32)
    ratings = np.asarray(ratings, dtype=np.float32)

    rating_matrix = sp.csr_matrix(
        (ratings, (user_codes, item_codes)), shape=(n_users, n_items), dtype=np.float32
    )
    if content is not None and len(content[0]) and params.content_weight:
        rating_matrix = sp.vstack(
            [rating_matrix, content_matrix(*content, n_items, params.content_weight)],
            format="csr",
        )
    singular_values, right_vectors = randomized_svd(
        rating_matrix,
        params.n_factors,
        oversampling=params.oversampling,
        power_iterations=params.power_iterations,
        seed=params.seed,
    )
    del rating_matrix

    shrink = factor_shrink(singular_values, params.relative_ridge)
    item_factors = right_vectors * shrink
    diagonal = 1.0 - np.einsum("ik,ik->i", item_factors, right_vectors)
    np.maximum(diagonal, 1e-6, out=diagonal)
    output_factors = right_vectors / (diagonal**params.diagonal_exponent)[:, None]
    output_factors = np.asfortranarray(output_factors, dtype=np.float32)

    item_counts = np.bincount(item_codes, minlength=n_items).astype(np.int32)
    global_mean, item_biases = _item_biases(
        user_codes, item_codes, ratings, n_users, n_items, params
    )
    popularity_weights = np.power(np.maximum(item_counts, 1), params.popularity_exponent)
    popularity_weights = popularity_weights.astype(np.float32)
    prefix_arrays = {}
    if 0 < params.score_prefix < output_factors.shape[1]:
        prefix_arrays = {
            "output_scales": (1.0 / diagonal**params.diagonal_exponent).astype(np.float32),
            "tail_norms": popularity_weights
            * np.linalg.norm(output_factors[:, params.score_prefix :], axis=1),
            "row_norms": popularity_weights * np.linalg.norm(output_factors, axis=1),
        }

    return RecommenderModel(
        item_factors=np.ascontiguousarray(item_factors, dtype=np.float32),
        output_factors=output_factors,
        popularity_weights=popularity_weights,
        item_counts=item_counts,
        item_biases=item_biases.astype(np.float32),
        untrained_items=np.flatnonzero(item_counts == 0).astype(np.int32),
        singular_values=singular_values.astype(np.float32),
        global_mean=global_mean,
        params=asdict(params),
        training_seconds=time.perf_counter() - started,
        **prefix_arrays,
    )


def content_matrix(
    feature_codes: np.ndarray, item_codes: np.ndarray, n_items: int, weight: float
) -> sp.csr_matrix:
    """One row per content feature shared by two films or more, ``weight`` for each film.

    A feature of one film says nothing about which films go together, so it is dropped.
    """
    feature_codes = np.asarray(feature_codes, dtype=np.int64)
    n_features = int(feature_codes.max()) + 1 if len(feature_codes) else 0
    matrix = sp.csr_matrix(
        (np.ones(len(feature_codes), dtype=np.float32), (feature_codes, item_codes)),
        shape=(n_features, n_items),
    )
    matrix.data[:] = weight  # a pair listed twice is still one membership
    return matrix[np.diff(matrix.indptr) >= 2]


def factor_shrink(singular_values: np.ndarray, relative_ridge: float) -> np.ndarray:
    """Each factor's ridge shrinkage g = σ² / (σ² + λ), with σ relative to the largest."""
    eigenvalues = (singular_values / singular_values[0]) ** 2
    return (eigenvalues / (eigenvalues + relative_ridge)).astype(np.float32)


def randomized_svd(
    matrix: sp.csr_matrix,
    rank: int,
    *,
    oversampling: int = 16,
    power_iterations: int = 3,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Top singular values and right singular vectors (n_cols × rank) of a sparse matrix.

    Halko et al.'s range finder in float32, which halves memory traffic against
    scikit-learn's float64 ``randomized_svd`` and keeps 32M ratings within budget.
    """
    n_rows, n_cols = matrix.shape
    width = min(rank + oversampling, n_rows, n_cols)
    transposed = matrix.T.tocsr()
    rng = np.random.default_rng(seed)
    basis = matrix @ rng.standard_normal((n_cols, width), dtype=np.float32)
    for _ in range(power_iterations):
        # Re-orthonormalising between the two products keeps small directions alive.
        basis = _orthonormal(basis)
        basis = matrix @ _orthonormal(transposed @ basis)
    basis = _orthonormal(basis)
    projected = transposed @ basis  # (n_cols, width) = Xᵀ Q
    left, singular_values, _ = scipy.linalg.svd(
        projected, full_matrices=False, overwrite_a=True, check_finite=False
    )
    rank = min(rank, width)
    return singular_values[:rank], np.ascontiguousarray(left[:, :rank], dtype=np.float32)


def _orthonormal(block: np.ndarray) -> np.ndarray:
    return scipy.linalg.qr(block, mode="economic", overwrite_a=True, check_finite=False)[0]


def _item_biases(user_codes, item_codes, ratings, n_users, n_items, params: ModelParams):
    """Global mean and ridge-regularised item biases (alternating with user biases)."""
    global_mean = float(ratings.mean(dtype=np.float64)) if len(ratings) else 3.5
    item_totals = np.bincount(item_codes, minlength=n_items)
    user_totals = np.bincount(user_codes, minlength=n_users)
    user_biases = np.zeros(n_users)
    item_biases = np.zeros(n_items)
    centred = ratings - global_mean
    for _ in range(5):
        item_biases = np.bincount(item_codes, centred - user_biases[user_codes], n_items) / (
            item_totals + params.item_bias_ridge
        )
        user_biases = np.bincount(user_codes, centred - item_biases[item_codes], n_users) / (
            user_totals + params.user_bias_ridge
        )
    return global_mean, item_biases


def fold_in_user(
    model: RecommenderModel,
    item_indices: np.ndarray,
    ratings: np.ndarray,
    ages: np.ndarray | None = None,
) -> UserProfile:
    """Fold a user who is not in the training data into the model from their ratings.

    ``ages`` are the ratings' ages in days when the list is asked for (see
    :func:`ages_from_times`); without them every rating counts the same.
    """
    item_indices = np.asarray(item_indices, dtype=np.int64)
    ratings = np.asarray(ratings, dtype=np.float32)
    profile_weights = ratings ** np.float32(model.params["profile_exponent"])
    contribution_weights = profile_weights * recency_multipliers(model, ages, len(ratings))
    user_vector = contribution_weights @ model.item_factors[item_indices]
    item_biases = model.item_biases[item_indices]
    offsets = ratings - model.global_mean - item_biases
    user_bias = float(offsets.sum() / (len(ratings) + model.params["user_bias_ridge"]))
    residuals = (offsets - user_bias).astype(np.float32)
    return UserProfile(
        item_indices=item_indices,
        ratings=ratings,
        profile_weights=profile_weights,
        user_vector=user_vector.astype(np.float32),
        user_bias=user_bias,
        residuals=residuals,
        taste=_taste(model, item_indices, residuals),
        contribution_weights=contribution_weights.astype(np.float32),
    )


def _singular_vectors(model: RecommenderModel, item_indices: np.ndarray) -> np.ndarray:
    """Rows of the top ``taste_factors`` right singular vectors (item_factors = V · g)."""
    k = min(model.params.get("taste_factors", 0), model.item_factors.shape[1])
    shrink = factor_shrink(model.singular_values, model.params["relative_ridge"])[:k]
    return model.item_factors[item_indices, :k] / shrink


def _taste(model: RecommenderModel, item_indices: np.ndarray, residuals: np.ndarray):
    """Ridge regression of a member's rating residuals on the top singular vectors."""
    if not model.params.get("taste_factors") or len(item_indices) == 0:
        return np.zeros(0, dtype=np.float32)
    vectors = _singular_vectors(model, item_indices)
    gram = vectors.T @ vectors
    gram[np.diag_indices_from(gram)] += model.params["taste_ridge"]
    return np.linalg.solve(gram, vectors.T @ residuals).astype(np.float32)


def recency_multipliers(model: RecommenderModel, ages, n: int) -> np.ndarray:
    """Per-rating weight multipliers from their ages in days (all 1 without ``ages``).

    A rating's freshness is ``2^(-age / half-life)``, halved again for every
    ``recency_half_life_ratings`` ratings made after it: within one sitting, where
    ages hardly differ, the films rated last still count more, so a member who
    rates twelve dramas and then five horror films sees horror. The boost is
    scaled by how many fresh ratings there are, up to ``recency_run``: a run of
    five new ratings moves the list with the full boost, one alone nudges it.
    """
    boost = model.params.get("recency_boost", 0.0)
    if ages is None or not boost or n == 0:
        return np.ones(n, dtype=np.float32)
    half_life = model.params.get("recency_half_life_days", 1.0)
    ages = np.asarray(ages, dtype=np.float64)
    fresh = np.exp2(-ages / half_life)
    per_ratings = model.params.get("recency_half_life_ratings")
    if per_ratings:
        # Ratings made after this one (those made at the same moment are not after it).
        later = np.searchsorted(np.sort(ages), ages, side="left")
        fresh *= np.exp2(-later / per_ratings)
    run = model.params.get("recency_run")
    if run:
        boost *= min(1.0, float(fresh.sum()) / run)
    return (1.0 + boost * fresh).astype(np.float32)


def ages_from_times(seconds, now: float | None = None) -> np.ndarray:
    """Ages in days of ratings given their Unix times, at ``now`` (default: the newest).

    The site passes the time of the request; offline protocols, whose ratings are
    years old, measure from the member's newest rating (the list asked for right
    after their last one). A rating from the future (clock skew) is age 0.
    """
    seconds = np.asarray(seconds, dtype=np.float64)
    if len(seconds) == 0:
        return np.empty(0, dtype=np.float32)
    reference = seconds.max() if now is None else now
    return (np.maximum(reference - seconds, 0) / 86_400).astype(np.float32)


def recency_settled_days(model: RecommenderModel) -> float:
    """Age in days from which a rating's recency boost is below 1 % of its weight.

    Until a member's newest rating is this old their list changes with the clock;
    from then on it is fixed (0 when recency weights are off).
    """
    boost = model.params.get("recency_boost", 0.0)
    if boost <= 0.01:
        return 0.0
    return float(model.params.get("recency_half_life_days", 1.0) * np.log2(100 * boost))


def score_items(model: RecommenderModel, profile: UserProfile) -> np.ndarray:
    """Ranking score of every item for a folded-in user (higher is better)."""
    scores = model.output_factors @ profile.user_vector
    scores *= model.popularity_weights
    return scores


def recommend(
    model: RecommenderModel,
    profile: UserProfile,
    n: int = 50,
    exclude: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Top-``n`` item indices and their scores, best first.

    The user's rated items, ``exclude`` (hidden, listed, filtered out) and items
    without training ratings are never returned. A user with no ratings gets the most
    rated items.
    """
    if len(profile.item_indices) == 0:
        scores = model.item_counts.astype(np.float32)
    elif ranks_by_prefix(model, n):
        return prefix_top_n(model, profile, n, exclude)
    else:
        scores = score_items(model, profile)
    _exclude(model, profile, exclude, scores)
    top = top_n(scores, n)
    return top, scores[top]


def _exclude(model: RecommenderModel, profile: UserProfile, exclude, scores: np.ndarray) -> None:
    scores[profile.item_indices] = -np.inf
    scores[model.untrained_items] = -np.inf
    if exclude is not None and len(exclude):
        scores[exclude] = -np.inf


def ranks_by_prefix(model: RecommenderModel, n: int) -> bool:
    """Whether :func:`recommend` ranks the top ``n`` in two stages (:func:`prefix_top_n`).

    Not for models trained before it (no prefix arrays), nor where the pool would be
    a quarter of the catalogue or more: there the full product costs little more.
    """
    prefix = model.params.get("score_prefix", 0)
    pool_size = max(model.params.get("score_pool", 0), n)
    n_items, k = model.output_factors.shape
    return model.tail_norms is not None and 0 < prefix < k and 4 * pool_size <= n_items


def prefix_top_n(
    model: RecommenderModel,
    profile: UserProfile,
    n: int,
    exclude: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`recommend`'s top ``n`` for a user with ratings, reading a fraction of the factors.

    Scoring the whole catalogue reads all of ``output_factors`` (45 MB at 87,585
    films and k=128) and is bound by memory bandwidth. The factors come from an SVD
    ordered by singular value and the user vector's later components are shrunk,
    so the first ``score_prefix`` columns (one contiguous block in Fortran order)
    usually carry enough of each score to rule most films out. Stage one scores
    every film with them; :func:`_bounded_pool_top_n` does the rest. When its bound
    cannot rule enough films out, the other columns complete the product, so the
    result is always the full product's top ``n`` (films whose scores tie within
    float32 rounding may come in another order, as the sums run in another order).
    """
    prefix = model.params["score_prefix"]
    user_vector = profile.user_vector
    head = model.output_factors[:, :prefix] @ user_vector[:prefix]
    ranked = _bounded_pool_top_n(model, profile, n, exclude, head)
    if ranked is not None:
        return ranked
    scores = model.output_factors[:, prefix:] @ user_vector[prefix:]
    scores += head
    scores *= model.popularity_weights
    _exclude(model, profile, exclude, scores)
    top = top_n(scores, n)
    return top, scores[top]


def prefix_bound_settles(model: RecommenderModel, profile: UserProfile, n: int = 50) -> bool:
    """Whether two-stage ranking settles ``profile``'s top ``n`` without completing the
    product: how well the model's data suits it (training reports the share)."""
    prefix = model.params["score_prefix"]
    head = model.output_factors[:, :prefix] @ profile.user_vector[:prefix]
    return _bounded_pool_top_n(model, profile, n, None, head) is not None


def _bounded_pool_top_n(model, profile, n, exclude, head):
    """The top ``n`` from a pool scored exactly, or None when the bound leaves too many.

    ``head`` is every film's score from the first ``score_prefix`` factors. The best
    ``score_pool`` by it are scored exactly from the row-major ``item_factors``
    (``output row = item row / shrink · output scale``). The pool's n-th best exact
    score τ is at most the true n-th best, and by Cauchy–Schwarz a film outside the
    pool scores at most its head score plus ``tail_norms · |user vector's tail|``
    (plus a margin for float32 rounding): the films whose bound reaches τ are scored
    exactly too, unless they are more than ``REST_SHARE`` of the catalogue.
    """
    prefix = model.params["score_prefix"]
    pool_size = max(model.params["score_pool"], n)
    user_vector = profile.user_vector
    weighted = head * model.popularity_weights
    _exclude(model, profile, exclude, weighted)
    pool = np.sort(top_n(weighted, pool_size))
    shrink = factor_shrink(model.singular_values, model.params["relative_ridge"])
    unshrunk = np.divide(user_vector, shrink, out=np.zeros_like(user_vector), where=shrink > 0)

    def exact_scores(items):
        scores = model.item_factors[items] @ unshrunk
        scores *= model.output_scales[items] * model.popularity_weights[items]
        return scores

    scores = exact_scores(pool)
    # A pool smaller than asked for holds every film that may be recommended.
    if len(pool) == pool_size:
        threshold = np.partition(scores, len(pool) - n)[len(pool) - n]
        bound = model.tail_norms * np.linalg.norm(user_vector[prefix:])
        bound += model.row_norms * (PREFIX_SLACK * np.linalg.norm(user_vector))
        bound += weighted
        bound[pool] = -np.inf
        rest = np.flatnonzero(bound >= threshold)
        if len(rest) > REST_SHARE * len(bound):
            return None
        pool = np.concatenate([pool, rest])
        scores = np.concatenate([scores, exact_scores(rest)])
    top = top_n(scores, n)
    return pool[top], scores[top]


def top_n(scores: np.ndarray, n: int) -> np.ndarray:
    """Indices of the ``n`` largest finite scores, best first (``-inf`` marks excluded)."""
    n = min(n, len(scores))
    if n == 0:
        return np.empty(0, dtype=np.int64)
    # The n-th largest of every 8th score is at most the n-th largest overall, so
    # the scores above it always include the top n; partitioning only those is ~6x
    # faster than partitioning the whole catalogue.
    sample = scores[::8]
    if len(sample) > n:
        threshold = np.partition(sample, len(sample) - n)[len(sample) - n]
        candidates = np.flatnonzero(scores >= threshold)
    else:
        candidates = np.arange(len(scores))
    top = candidates[np.argpartition(scores[candidates], len(candidates) - n)[-n:]]
    top = top[np.argsort(-scores[top], kind="stable")]
    return top[np.isfinite(scores[top])]


def item_weights(
    model: RecommenderModel, source_items: np.ndarray, target_items: np.ndarray
) -> np.ndarray:
    """Item-item weights W[source, target] (how much rating a source lifts a target)."""
    return model.item_factors[source_items] @ model.output_factors[target_items].T


def predict_ratings(
    model: RecommenderModel, profile: UserProfile, item_indices: np.ndarray
) -> np.ndarray:
    """Predicted ratings (0.5–5) of a folded-in user for the given items."""
    item_indices = np.asarray(item_indices, dtype=np.int64)
    baseline = model.global_mean + profile.user_bias + model.item_biases[item_indices]
    if len(profile.item_indices) == 0 or len(item_indices) == 0:
        return np.clip(baseline, MIN_RATING, MAX_RATING).astype(np.float32)
    weights = item_weights(model, profile.item_indices, item_indices)
    np.maximum(weights, 0, out=weights)
    weights **= np.float32(model.params["neighbor_weight_exponent"])
    n_neighbors = model.params["n_neighbors"]
    if len(profile.item_indices) > n_neighbors:
        # Only each target's n closest rated items vote, as in item-based kNN.
        cutoff = -np.partition(-weights, n_neighbors - 1, axis=0)[n_neighbors - 1]
        weights[weights < cutoff] = 0
    neighborhood = (profile.residuals @ weights) / (
        weights.sum(axis=0) + model.params["neighbor_shrinkage"]
    )
    if len(profile.taste):
        taste = _singular_vectors(model, item_indices) @ profile.taste
        neighborhood += model.params["taste_weight"] * taste
    return np.clip(baseline + neighborhood, MIN_RATING, MAX_RATING).astype(np.float32)


def coherent_order(
    model: RecommenderModel,
    scores: np.ndarray,
    predictions: np.ndarray,
    floor: float | None = None,
    head: int | None = None,
) -> np.ndarray:
    """Positions of ``scores`` in the order a list shows them.

    Scores are tempered by the predicted rating, then the first ``coherent_head``
    places (or ``head``) go to films predicted at ``floor`` (default ``coherent_floor``) or more
    while there are enough of them: a list never leads with a film it predicts you
    would not like.
    """
    emphasis = model.params.get("rating_emphasis", 0.0)
    if floor is None:
        floor = model.params.get("coherent_floor", MIN_RATING)
    if head is None:
        head = model.params.get("coherent_head", 0)
    ordered = np.maximum(scores, 0) * (np.asarray(predictions) / MAX_RATING) ** emphasis
    order = np.argsort(-ordered, kind="stable")
    liked = predictions[order] >= floor
    first = order[liked][:head]
    return np.concatenate([first, order[~np.isin(order, first)]])


def rank_for_user(
    model: RecommenderModel,
    profile: UserProfile,
    n: int = 50,
    exclude: np.ndarray | None = None,
    popularity_shift: float = 0.0,
    pool: int | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What a member's list shows: top-``n`` items, scores and predicted ratings.

    The best ``pool`` items by score (``coherent_pool``: the films a For you page
    lists) are the member's candidates: they get predicted ratings and are put in
    :func:`coherent_order`. A ``popularity_shift`` (the popular ↔ obscure
    control) first multiplies scores by ``count ** shift``; towards obscure the
    pool is larger and films rated fewer than ``OBSCURE_MIN_COUNT`` times go last,
    since a rating or two is too little to call a film a gem. A user without
    ratings gets the most rated items.
    """
    pool = pool or model.params.get("coherent_pool", 50)
    if popularity_shift < 0:
        pool *= OBSCURE_POOL_FACTOR
    items, scores = recommend(model, profile, n=max(n, pool), exclude=exclude)
    predictions = predict_ratings(model, profile, items)
    if len(profile.item_indices) == 0:
        return items[:n], scores[:n], predictions[:n]
    if popularity_shift:
        counts = model.item_counts[items].astype(np.float32)
        scores = scores * counts**popularity_shift
        if popularity_shift < 0:
            scores[counts < OBSCURE_MIN_COUNT] = 0
    # A hidden gem is one the member's neighbours rate highly: obscure lists lead
    # with films predicted at GEM_FLOOR or more.
    floor, head = (GEM_FLOOR, GEM_HEAD) if popularity_shift < 0 else (None, None)
    order = coherent_order(model, scores, predictions, floor, head)[:n]
    return items[order], scores[order], predictions[order]


def contributions(model: RecommenderModel, profile: UserProfile, item_index: int) -> np.ndarray:
    """How much each rated item adds to ``item_index``'s score (the terms of the sum)."""
    weights = item_weights(model, profile.item_indices, np.array([item_index])).ravel()
    return profile.contribution_weights * weights


def top_contributors(
    model: RecommenderModel, profile: UserProfile, item_index: int, n: int = 3
) -> list[tuple[int, float]]:
    """The ``n`` rated items adding most to ``item_index``'s score, with their shares (0–1)."""
    if len(profile.item_indices) == 0:
        return []
    terms = contributions(model, profile, item_index)
    positive = terms[terms > 0].sum()
    best = np.argsort(-terms, kind="stable")[:n]
    return [
        (int(profile.item_indices[i]), float(terms[i] / positive)) for i in best if terms[i] > 0
    ]


def explain(
    model: RecommenderModel,
    profile: UserProfile,
    item_index: int,
    is_related: Callable[[int], bool] | None = None,
    among: int = 3,
) -> tuple[int, float] | None:
    """The rated item to name in "because you rated …", and its share (0–1).

    It is the biggest contributor to ``item_index``'s score among the ``among``
    biggest that ``is_related`` (given a rated item: does it share a genre or a
    person with the recommendation?) accepts. None when none qualifies: a reason
    that names an unrelated film is worse than none.
    """
    if len(profile.item_indices) == 0:
        return None
    terms = contributions(model, profile, item_index)
    positive = terms[terms > 0].sum()
    for best in np.argsort(-terms, kind="stable")[:among]:
        if terms[best] <= 0:
            return None
        rated = int(profile.item_indices[best])
        if is_related is None or is_related(rated):
            return rated, float(terms[best] / positive)
    return None


def similar_items(
    model: RecommenderModel,
    item_index: int,
    n: int = 20,
    series: np.ndarray | None = None,
    by_content: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Items most lifted by liking ``item_index`` ("more like this"), best first.

    The row ``W[i, :]`` favours films everybody likes; dividing it by each
    target's ``count ** similar_popularity_exponent`` turns "liked together" into
    "liked together more than by chance". That division would also lift films
    rated once or twice that merely share a keyword or a studio (content rows),
    so each target is also weighed by ``count / (count + similar_count_prior)``:
    a film needs a few ratings before the model vouches for it. A film rated fewer than
    ``CONTENT_BELOW_COUNT`` times has too few ratings to place: its list blends in
    ``by_content`` (item indices by content similarity, best first) the more, the
    fewer ratings it has. With ``series`` (a series id per item, 0 for none), up
    to ``SERIES_FIRST`` other parts of its series lead. Returns items and their
    model scores.
    """
    scores = model.output_factors @ model.item_factors[item_index]
    exponent = model.params.get("similar_popularity_exponent", 0.0)
    counts = np.maximum(model.item_counts, 1).astype(np.float32)
    scores /= counts**exponent
    prior = model.params.get("similar_count_prior", 0.0)
    if prior:
        scores *= counts / (counts + np.float32(prior))
    scores[item_index] = -np.inf
    scores[model.untrained_items] = -np.inf
    top = top_n(scores, n)
    top = top[scores[top] > 0]
    count = int(model.item_counts[item_index])
    if by_content is not None and len(by_content) and count < CONTENT_BELOW_COUNT:
        by_content = by_content[by_content != item_index]
        top = blend_rankings(top, by_content, count / CONTENT_BELOW_COUNT, n)
    if series is not None and series[item_index]:
        parts = np.flatnonzero(series == series[item_index])
        parts = parts[(parts != item_index) & (model.item_counts[parts] > 0)]
        parts = parts[np.argsort(-scores[parts], kind="stable")][:SERIES_FIRST]
        top = np.concatenate([parts, top[~np.isin(top, parts)]])[:n]
    return top, scores[top]


def blend_rankings(first: np.ndarray, second: np.ndarray, weight: float, n: int) -> np.ndarray:
    """Reciprocal-rank fusion of two rankings, ``weight`` on the first, 1 - weight on the second."""
    fused: dict[int, float] = {}
    for ranking, share in ((first, weight), (second, 1.0 - weight)):
        for rank, item in enumerate(ranking.tolist()):
            fused[item] = fused.get(item, 0.0) + share / (FUSION_OFFSET + rank)
    best = sorted(fused, key=lambda item: -fused[item])[:n]
    return np.array(best, dtype=np.int64)
