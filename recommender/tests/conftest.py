import pytest

from recommender.serving import model_cache


@pytest.fixture(autouse=True)
def isolated_models(settings, tmp_path):
    """Each test writes models to its own folder and starts with an empty cache."""
    settings.MODEL_DIR = tmp_path / "models"
    model_cache.reset()
    yield
    model_cache.reset()
