"""Ratings: the MovieLens training corpus (and, later, the site's own users)."""

from django.db import models
from django.db.models import Q

HALF_STARS = [step / 2 for step in range(1, 11)]


class MovieLensRating(models.Model):
    """One rating from the MovieLens data set: the recommender's training corpus.

    Keyed by the MovieLens user id, which has nothing to do with site accounts.
    ``movie`` points at ``Movie.movielens_id`` so the importer can ``COPY`` the
    CSV straight in; the constraint is validated once after a bulk load.
    """

    pk = models.CompositePrimaryKey("movielens_user_id", "movie")
    movielens_user_id = models.PositiveIntegerField("MovieLens user id")
    movie = models.ForeignKey(
        "catalog.Movie",
        on_delete=models.CASCADE,
        to_field="movielens_id",
        db_column="movielens_movie_id",
        related_name="movielens_ratings",
    )
    rating = models.FloatField()
    timestamp = models.BigIntegerField(help_text="Unix time, as MovieLens gives it.")

    class Meta:
        verbose_name = "MovieLens rating"
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__in=HALF_STARS), name="movielens_rating_half_stars"
            ),
        ]

    def __str__(self):
        return f"MovieLens user {self.movielens_user_id}: {self.movie_id} ★{self.rating}"
