"""Trained model versions: what was trained, how well it did, which one serves."""

from django.conf import settings
from django.db import models
from django.db.models import Q


class ModelVersionQuerySet(models.QuerySet):
    def serving(self):
        return self.filter(is_serving=True).first()


class ModelVersion(models.Model):
    class Status(models.TextChoices):
        READY = "ready", "Ready"
        SERVING = "serving", "Serving"
        REJECTED = "rejected", "Rejected (quality fell)"
        RETIRED = "retired", "Retired"
        FAILED = "failed", "Failed"

    name = models.CharField(max_length=100, unique=True, help_text="Folder under MODEL_DIR.")
    status = models.CharField(max_length=10, choices=Status, default=Status.READY)
    is_serving = models.BooleanField(default=False)
    format_version = models.PositiveSmallIntegerField()
    data_fingerprint = models.CharField(max_length=64, db_index=True)
    n_users = models.PositiveIntegerField(default=0)
    n_items = models.PositiveIntegerField(default=0)
    n_ratings = models.PositiveBigIntegerField(default=0)
    params = models.JSONField(default=dict, blank=True)
    metrics = models.JSONField(default=dict, blank=True)
    timings = models.JSONField(default=dict, blank=True)
    notes = models.TextField(blank=True, help_text="The quality gate's verdict and any override.")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="The staff member who published it over the gate; empty when the gate did.",
    )

    objects = ModelVersionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_serving"], condition=Q(is_serving=True), name="one_serving_model"
            )
        ]

    def __str__(self):
        return self.name

    @property
    def can_be_published(self):
        """A version staff may publish by hand: trained, kept, and not serving."""
        return not self.is_serving and self.status != self.Status.FAILED
