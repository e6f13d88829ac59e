"""Staff follow model versions, train on demand and publish a version by hand."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import Truncator
from django.views.decorators.http import require_http_methods, require_POST

from recommender.artifacts import ArtifactError
from recommender.models import ModelVersion
from recommender.tasks import queue_retraining
from recommender.training import publish, training_in_progress

TRAIN_PERMISSION = "recommender.change_modelversion"


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    change_list_template = "admin/recommender/modelversion/change_list.html"
    list_display = [
        "name",
        "serving_badge",
        "status",
        "n_ratings",
        "n_users",
        "n_items",
        "ndcg",
        "recall",
        "train_seconds",
        "gate_verdict",
        "created_at",
        "publish_link",
    ]
    list_filter = ["status", "is_serving"]
    readonly_fields = [field.name for field in ModelVersion._meta.fields if field.name != "id"]

    @admin.display(description="serving", boolean=True, ordering="is_serving")
    def serving_badge(self, version):
        return version.is_serving

    @admin.display(description="holdout nDCG@20")
    def ndcg(self, version):
        return (version.metrics or {}).get("ndcg", "—")

    @admin.display(description="holdout Recall@20")
    def recall(self, version):
        return (version.metrics or {}).get("recall", "—")

    @admin.display(description="training")
    def train_seconds(self, version):
        timings = version.timings or {}
        seconds = timings.get("train_seconds")
        if seconds is None:
            return "—"
        if "refit_seconds" in timings:
            return format_html("{} s + {} s refit", seconds, timings["refit_seconds"])
        return format_html("{} s", seconds)

    @admin.display(description="quality gate")
    def gate_verdict(self, version):
        return Truncator(version.notes).chars(120) or "—"

    @admin.display(description="")
    def publish_link(self, version):
        if not version.can_be_published:
            return ""
        url = reverse("admin:recommender_modelversion_publish", args=[version.pk])
        return format_html('<a href="{}">Publish…</a>', url)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Versions are written by training only; staff act through the views below.
        return False

    def get_urls(self):
        train_now = self.admin_site.admin_view(require_POST(self.train_now))
        publish_version = self.admin_site.admin_view(
            require_http_methods(["GET", "POST"])(self.publish_version)
        )
        return [
            path("train-now/", train_now, name="recommender_modelversion_train_now"),
            path(
                "<int:pk>/publish/",
                publish_version,
                name="recommender_modelversion_publish",
            ),
            *super().get_urls(),
        ]

    def train_now(self, request):
        """Queue a retraining that runs even if the data did not change, and return."""
        running = training_in_progress()
        if not request.user.has_perm(TRAIN_PERMISSION):
            messages.error(request, "You may not train the recommender.")
        elif running:
            messages.error(
                request,
                f"A training is already running ({running}); the new version appears "
                "here when it is done.",
            )
        else:
            transaction.on_commit(queue_retraining)
            messages.success(
                request,
                "Training queued. The new version appears here when it is done; it is "
                "published only if its holdout quality is not worse than the serving one "
                "(its quality gate column says why).",
            )
        return redirect("admin:recommender_modelversion_changelist")

    def publish_version(self, request, pk):
        """Publish a version by hand, after a confirmation page (over the gate's refusal)."""
        if not request.user.has_perm(TRAIN_PERMISSION):
            raise PermissionDenied
        version = get_object_or_404(ModelVersion, pk=pk)
        if not version.can_be_published:
            messages.error(request, f"{version} cannot be published: it is {version.status}.")
            return redirect("admin:recommender_modelversion_changelist")
        if request.method == "POST":
            was = version.get_status_display().lower()
            try:
                publish(version, by=request.user)
            except ArtifactError as error:
                messages.error(request, f"{version} was not published: {error}")
            else:
                self.log_change(request, version, f"Published by hand; it was {was}.")
                messages.success(request, f"{version} is now serving.")
            return redirect("admin:recommender_modelversion_changelist")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": f"Publish {version}?",
            "version": version,
            "serving": ModelVersion.objects.serving(),
        }
        return TemplateResponse(
            request, "admin/recommender/modelversion/publish_confirmation.html", context
        )
