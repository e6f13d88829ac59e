"""A small planted catalog: two taste clusters the model must tell apart."""

import numpy as np

from catalog.tests.factories import make_movie
from ratings.models import MovieLensRating
from recommender.serving import model_cache
from recommender.training import train_and_publish


def planted_catalog(n_per_cluster=12, n_users=80, seed=0):
    """Films in cluster "Comedy" and "Horror"; each MovieLens user loves one cluster.

    Returns ``{"Comedy": [movies], "Horror": [movies]}`` ordered by popularity.
    """
    rng = np.random.default_rng(seed)
    clusters = {}
    for genre, first_year in [("Comedy", 1990), ("Horror", 2010)]:
        clusters[genre] = [
            make_movie(f"{genre} {i}", genres=[genre], year=first_year + i % 10)
            for i in range(n_per_cluster)
        ]
    rows = []
    for user in range(1, n_users + 1):
        loved, other = ("Comedy", "Horror") if user % 2 else ("Horror", "Comedy")
        for movie in clusters[loved]:
            if rng.random() < 0.7:
                rows.append(
                    MovieLensRating(
                        movielens_user_id=user,
                        movie_id=movie.movielens_id,
                        rating=float(rng.choice([4.0, 4.5, 5.0])),
                        timestamp=0,
                    )
                )
        for movie in clusters[other]:
            if rng.random() < 0.15:
                rows.append(
                    MovieLensRating(
                        movielens_user_id=user,
                        movie_id=movie.movielens_id,
                        rating=float(rng.choice([1.0, 1.5, 2.0])),
                        timestamp=0,
                    )
                )
    MovieLensRating.objects.bulk_create(rows)
    return clusters


def trained_model():
    """Train and publish on whatever is in the database; the cache sees it at once.

    The quality gate is opened wide: on a handful of planted films a new model's
    holdout score swings with the ids the database hands out.
    """
    outcome = train_and_publish(force=True, tolerance=1.0)
    model_cache.reset()
    return outcome
