"""Ratings: the MovieLens training corpus (and, later, the site's own users)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

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
        # Training reads the whole table; an index on the film would only slow
        # the bulk load down.
        db_index=False,
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


class RatingPrior(models.Model):
    """The weighted score's prior (one row), fixed by the last MovieLens import.

    See ``ratings.aggregates``: a member's rating updates one film's score with
    the same prior the import gave every other film.
    """

    weight = models.FloatField(help_text="The average number of ratings of a rated film.")
    mean = models.FloatField(help_text="The mean of every rating.")

    def __str__(self):
        return f"{self.weight:.1f} ratings of {self.mean:.2f}"


class RatingQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user) if user.is_authenticated else self.none()

    def of_visible_movies(self):
        """Only films the site shows: a film staff hid leaves the member's pages and counts."""
        return self.filter(movie__is_hidden=False)


class Rating(models.Model):
    """A site member's rating of a film, 0.5 to 5 stars in half steps."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ratings"
    )
    movie = models.ForeignKey("catalog.Movie", on_delete=models.CASCADE, related_name="ratings")
    value = models.FloatField(choices=[(stars, f"{stars:g} stars") for stars in HALF_STARS])
    rated_at = models.DateTimeField(
        default=timezone.now,
        help_text="When the member gave this rating: the moment they rated on the site, or "
        "the date an imported file gives (the day they watched or rated the film).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = RatingQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "movie"], name="rating_one_per_user_and_movie"),
            models.CheckConstraint(condition=Q(value__in=HALF_STARS), name="rating_half_stars"),
        ]
        indexes = [
            models.Index(fields=["user", "-updated_at"], name="rating_user_recent_idx"),
            # My ratings, newest first by the date the member rated.
            models.Index(fields=["user", "-rated_at"], name="rating_user_rated_at_idx"),
        ]

    def __str__(self):
        return f"{self.user} rated {self.movie} ★{self.value:g}"


class ListEntryQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user) if user.is_authenticated else self.none()

    def of_visible_movies(self):
        """Only films the site shows: a film staff hid leaves the member's pages and counts."""
        return self.filter(movie__is_hidden=False)


class ListEntry(models.Model):
    """A film on one of a member's lists: favorites, watchlist or not interested."""

    class Kind(models.TextChoices):
        FAVORITE = "favorite", "Favorites"
        WATCHLIST = "watchlist", "Watchlist"
        NOT_INTERESTED = "hidden", "Not interested"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="list_entries"
    )
    movie = models.ForeignKey(
        "catalog.Movie", on_delete=models.CASCADE, related_name="list_entries"
    )
    kind = models.CharField(max_length=10, choices=Kind)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ListEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "list entry"
        verbose_name_plural = "list entries"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "movie", "kind"], name="list_entry_once_per_list"
            ),
        ]
        indexes = [
            models.Index(fields=["user", "kind", "-created_at"], name="list_entry_user_kind_idx")
        ]

    def __str__(self):
        return f"{self.movie} on {self.user}'s {self.get_kind_display()}"


NOTE_MAX_LENGTH = 500


class DiaryEntryQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(user=user) if user.is_authenticated else self.none()

    def of_visible_movies(self):
        return self.filter(movie__is_hidden=False)

    def in_month(self, year, month):
        return self.filter(watched_on__year=year, watched_on__month=month)


class DiaryEntry(models.Model):
    """One watch of a film on a day: a member's diary, as on Letterboxd.

    A rewatch is another entry. ``rating`` is the rating given with this watch
    (none for "watched" without a rating); the member's current rating of the
    film stays in ``Rating``. A logged film counts as seen for recommendations.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="diary_entries"
    )
    movie = models.ForeignKey(
        "catalog.Movie", on_delete=models.CASCADE, related_name="diary_entries"
    )
    watched_on = models.DateField(default=timezone.localdate)
    rating = models.FloatField(
        null=True, blank=True, choices=[(stars, f"{stars:g} stars") for stars in HALF_STARS]
    )
    rewatch = models.BooleanField(default=False, help_text="The member had seen it before.")
    note = models.CharField(
        max_length=NOTE_MAX_LENGTH, blank=True, help_text="Private: only the member sees it."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = DiaryEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "diary entry"
        verbose_name_plural = "diary entries"
        ordering = ["-watched_on", "-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__in=HALF_STARS),
                name="diary_entry_half_stars",
            ),
        ]
        indexes = [
            models.Index(fields=["user", "-watched_on"], name="diary_entry_user_date_idx"),
            models.Index(fields=["user", "movie"], name="diary_entry_user_movie_idx"),
        ]

    def __str__(self):
        return f"{self.user} watched {self.movie} on {self.watched_on:%Y-%m-%d}"
