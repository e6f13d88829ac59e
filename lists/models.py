"""Members' own film lists: ordered, titled, public (shareable) or private."""

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.urls import reverse

TITLE_MAX_LENGTH = 100
DESCRIPTION_MAX_LENGTH = 2000
ITEM_NOTE_MAX_LENGTH = 500
MAX_ITEMS = 1000


class FilmListQuerySet(models.QuerySet):
    def owned_by(self, user):
        return self.filter(owner=user) if user.is_authenticated else self.none()

    def readable_by(self, user):
        """Public lists, and the member's own private ones."""
        if user.is_authenticated:
            return self.filter(Q(is_public=True) | Q(owner=user))
        return self.filter(is_public=True)

    def with_item_counts(self):
        return self.annotate(item_count=Count("items"))


class FilmList(models.Model):
    """A member's ordered list of films with a title and a description."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="film_lists"
    )
    title = models.CharField(max_length=TITLE_MAX_LENGTH)
    description = models.TextField(max_length=DESCRIPTION_MAX_LENGTH, blank=True)
    is_public = models.BooleanField(
        "public",
        default=False,
        help_text="Anyone with the address can read a public list; a private one only you.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FilmListQuerySet.as_manager()

    class Meta:
        verbose_name = "film list"
        ordering = ["-updated_at", "-id"]
        indexes = [models.Index(fields=["owner", "-updated_at"], name="film_list_owner_recent_idx")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("lists:detail", args=[self.pk])


class ListItem(models.Model):
    """A film at a place on a list; positions run 1, 2, 3… without gaps."""

    film_list = models.ForeignKey(FilmList, on_delete=models.CASCADE, related_name="items")
    movie = models.ForeignKey(
        "catalog.Movie", on_delete=models.CASCADE, related_name="film_list_items"
    )
    position = models.PositiveIntegerField()
    note = models.CharField(max_length=ITEM_NOTE_MAX_LENGTH, blank=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "list item"
        ordering = ["film_list", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["film_list", "movie"], name="list_item_once_per_list"),
        ]
        indexes = [models.Index(fields=["film_list", "position"], name="list_item_order_idx")]

    def __str__(self):
        return f"{self.position}. {self.movie} on {self.film_list}"
