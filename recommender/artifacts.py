"""Model artifacts on disk: one folder per version under ``MODEL_DIR``.

A version folder holds ``model.joblib`` (an *uncompressed* joblib dump, so that
``joblib.load(..., mmap_mode="r")`` maps the large arrays instead of reading
them: every web worker shares the same pages) and ``meta.json``. Folders are
written under a temporary name and renamed into place, so a reader never sees
half a model. An unreadable, incompatible or inconsistent artifact is refused
with :class:`ArtifactError`.
"""

import json
import shutil
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import joblib
import numpy as np

from recommender.factorization import FORMAT_VERSION as MODEL_FORMAT_VERSION
from recommender.factorization import RecommenderModel

# 2: the model module is recommender.factorization (it was recommender.model) and
# the model carries series ids; an artifact of format 1 is refused before unpickling.
FORMAT_VERSION = 2
MODEL_FILE = "model.joblib"
META_FILE = "meta.json"


class ArtifactError(Exception):
    """The artifact cannot be served; the message says why."""


@dataclass
class ModelBundle:
    """What serving needs: the model plus the item index ↔ film id map and filter data."""

    model: RecommenderModel
    movie_ids: np.ndarray  # (n_items,) int64, ascending Movie.pk
    years: np.ndarray  # (n_items,) int16, 0 when unknown
    genre_masks: np.ndarray  # (n_items,) int64 bit masks, bit i = genre_ids[i]
    genre_ids: np.ndarray  # Genre.pk of each bit
    # (n_items,) int32 series id shared by parts of a series (by title), 0 for none;
    # None in artifacts written before series were known.
    series: np.ndarray | None = None

    @property
    def n_items(self):
        return len(self.movie_ids)

    def item_indices(self, movie_ids):
        """Item indices of ``movie_ids``; films the model does not know are dropped."""
        movie_ids = np.asarray(movie_ids, dtype=np.int64)
        positions = np.searchsorted(self.movie_ids, movie_ids)
        positions[positions >= self.n_items] = 0
        known = self.movie_ids[positions] == movie_ids
        return positions[known], known

    def genre_bits(self, genre_ids):
        bits = 0
        for bit, genre_id in enumerate(self.genre_ids.tolist()):
            if genre_id in genre_ids:
                bits |= 1 << bit
        return bits


def save_bundle(bundle, model_dir):
    """Write ``bundle`` as a new version folder; return the folder's name."""
    model_dir = Path(model_dir)
    model_dir.mkdir(parents=True, exist_ok=True)
    created = datetime.now(UTC)
    name = f"v{created:%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:6]}"
    staging = model_dir / f".tmp-{name}"
    staging.mkdir()
    try:
        joblib.dump(
            {"format_version": FORMAT_VERSION, "bundle": bundle},
            staging / MODEL_FILE,
            compress=0,
        )
        meta = {
            "format_version": FORMAT_VERSION,
            "model_format_version": MODEL_FORMAT_VERSION,
            "created": created.isoformat(),
            "n_items": bundle.n_items,
            "n_factors": int(bundle.model.item_factors.shape[1]),
            "params": bundle.model.params,
        }
        (staging / META_FILE).write_text(json.dumps(meta, indent=2))
        staging.rename(model_dir / name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return name


def load_bundle(path):
    """Load a version folder with its arrays memory-mapped, or raise ArtifactError."""
    path = Path(path)
    try:
        meta = json.loads((path / META_FILE).read_text())
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{path}: no readable {META_FILE} ({exc}).") from exc
    if meta.get("format_version") != FORMAT_VERSION:
        raise ArtifactError(
            f"{path}: artifact format {meta.get('format_version')!r} was written by an "
            f"older NextFilms; this code reads format {FORMAT_VERSION}. Retrain with "
            "`manage.py train_recommender` (or Train now in the admin)."
        )
    try:
        payload = joblib.load(path / MODEL_FILE, mmap_mode="r")
    except Exception as exc:  # joblib raises anything pickle can on a damaged file
        raise ArtifactError(f"{path}: {MODEL_FILE} cannot be read ({exc}).") from exc
    bundle = payload.get("bundle") if isinstance(payload, dict) else None
    if not isinstance(bundle, ModelBundle) or payload.get("format_version") != FORMAT_VERSION:
        raise ArtifactError(f"{path}: {MODEL_FILE} does not hold a NextFilms model bundle.")
    _check_consistent(path, bundle)
    return bundle


def _check_consistent(path, bundle):
    model = bundle.model
    if model.format_version != MODEL_FORMAT_VERSION:
        raise ArtifactError(f"{path}: model format {model.format_version} is not supported.")
    n_items = bundle.n_items
    shapes = {
        "item_factors": model.item_factors.shape[0],
        "output_factors": model.output_factors.shape[0],
        "item_biases": len(model.item_biases),
        "item_counts": len(model.item_counts),
        "years": len(bundle.years),
        "genre_masks": len(bundle.genre_masks),
    }
    if bundle.series is not None:
        shapes["series"] = len(bundle.series)
    for name in ("output_scales", "tail_norms", "row_norms"):
        if getattr(model, name) is not None:
            shapes[name] = len(getattr(model, name))
    wrong = [name for name, size in shapes.items() if size != n_items]
    if wrong:
        raise ArtifactError(f"{path}: {', '.join(wrong)} do not match {n_items} items.")
    if not np.all(np.isfinite(model.item_factors[: min(n_items, 1000)])):
        raise ArtifactError(f"{path}: item factors contain NaN or infinity.")


def remove_bundle(model_dir, name):
    shutil.rmtree(Path(model_dir) / name, ignore_errors=True)
