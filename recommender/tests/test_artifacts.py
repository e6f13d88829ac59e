"""Model artifacts: memory-mapped, versioned, written atomically, refused when broken."""

import json

import joblib
import numpy as np
import pytest

from recommender import artifacts
from recommender.factorization import ModelParams, fold_in_user, recommend, train_model


@pytest.fixture
def bundle():
    rng = np.random.default_rng(0)
    users = rng.integers(0, 40, 600)
    items = rng.integers(0, 30, 600)
    ratings = rng.choice([1.0, 3.0, 5.0], 600)
    model = train_model(users, items, ratings, 40, 30, params=ModelParams(score_prefix=8))
    return artifacts.ModelBundle(
        model=model,
        movie_ids=np.arange(100, 130, dtype=np.int64),
        years=np.full(30, 1999, dtype=np.int16),
        genre_masks=np.ones(30, dtype=np.int64),
        genre_ids=np.array([7]),
    )


def test_saved_bundle_loads_memory_mapped(bundle, tmp_path):
    name = artifacts.save_bundle(bundle, tmp_path)
    loaded = artifacts.load_bundle(tmp_path / name)
    assert isinstance(loaded.model.item_factors, np.memmap)
    assert isinstance(loaded.model.output_factors, np.memmap)
    assert isinstance(loaded.movie_ids, np.memmap)
    np.testing.assert_array_equal(loaded.model.item_factors, bundle.model.item_factors)
    assert json.loads((tmp_path / name / "meta.json").read_text())["n_items"] == 30


def test_a_compressed_dump_would_not_be_memory_mapped(bundle, tmp_path):
    # Why the artifact must stay uncompressed: joblib ignores mmap_mode then.
    joblib.dump(bundle, tmp_path / "compressed.joblib", compress=3)
    with pytest.warns(UserWarning, match="not compatible with compressed"):
        loaded = joblib.load(tmp_path / "compressed.joblib", mmap_mode="r")
    assert not isinstance(loaded.model.item_factors, np.memmap)


def test_save_leaves_no_temporary_folder(bundle, tmp_path):
    name = artifacts.save_bundle(bundle, tmp_path)
    assert [path.name for path in tmp_path.iterdir()] == [name]


def test_corrupt_model_file_is_refused(bundle, tmp_path):
    name = artifacts.save_bundle(bundle, tmp_path)
    (tmp_path / name / "model.joblib").write_bytes(b"not a joblib file at all")
    with pytest.raises(artifacts.ArtifactError, match="cannot be read"):
        artifacts.load_bundle(tmp_path / name)


def test_truncated_model_file_is_refused(bundle, tmp_path):
    name = artifacts.save_bundle(bundle, tmp_path)
    path = tmp_path / name / "model.joblib"
    path.write_bytes(path.read_bytes()[:2000])
    with pytest.raises(artifacts.ArtifactError):
        artifacts.load_bundle(tmp_path / name)


def test_other_format_version_is_refused(bundle, tmp_path):
    name = artifacts.save_bundle(bundle, tmp_path)
    meta_path = tmp_path / name / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["format_version"] = 999
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(artifacts.ArtifactError, match="artifact format 999"):
        artifacts.load_bundle(tmp_path / name)


def test_inconsistent_arrays_are_refused(bundle, tmp_path):
    bundle.years = bundle.years[:10]
    name = artifacts.save_bundle(bundle, tmp_path)
    with pytest.raises(artifacts.ArtifactError, match="years do not match 30 items"):
        artifacts.load_bundle(tmp_path / name)


def test_inconsistent_prefix_arrays_are_refused(bundle, tmp_path):
    bundle.model.tail_norms = bundle.model.tail_norms[:10]
    name = artifacts.save_bundle(bundle, tmp_path)
    with pytest.raises(artifacts.ArtifactError, match="tail_norms do not match 30 items"):
        artifacts.load_bundle(tmp_path / name)


def test_a_model_pickled_before_two_stage_ranking_loads_and_recommends(bundle, tmp_path):
    for name in ("output_scales", "tail_norms", "row_norms"):
        del bundle.model.__dict__[name]
    name = artifacts.save_bundle(bundle, tmp_path)

    model = artifacts.load_bundle(tmp_path / name).model

    assert model.tail_norms is None
    top, _ = recommend(model, fold_in_user(model, np.array([0, 1]), np.array([5.0, 4.0])), n=5)
    assert len(top) == 5


def test_item_indices_map_film_ids_and_drop_unknown_ones(bundle):
    indices, known = bundle.item_indices([129, 5, 100, 130])
    assert indices.tolist() == [29, 0]
    assert known.tolist() == [True, False, True, False]
