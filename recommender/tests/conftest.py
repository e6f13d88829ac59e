"""Fixtures of the recommender's tests."""

import pytest

from recommender.tests.factories import planted_catalog, trained_model


@pytest.fixture
def clusters():
    """Two planted taste clusters (Comedy, Horror) and a model trained on them."""
    clusters = planted_catalog()
    trained_model()
    return clusters
