from django.contrib import admin, messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import path
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from recommender.models import ModelVersion
from recommender.tasks import retrain_recommender


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
        "created_at",
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
        seconds = (version.timings or {}).get("train_seconds")
        return format_html("{} s", seconds) if seconds is not None else "—"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        train_now = self.admin_site.admin_view(require_POST(self.train_now))
        return [
            path("train-now/", train_now, name="recommender_modelversion_train_now"),
            *super().get_urls(),
        ]

    def train_now(self, request):
        """Queue a retraining that runs even if the data did not change."""
        if not request.user.has_perm("recommender.view_modelversion"):
            messages.error(request, "You may not train the recommender.")
        else:
            transaction.on_commit(lambda: retrain_recommender.delay(force=True))
            messages.success(
                request,
                "Training queued. The new version appears here when it is done; it is "
                "published only if its holdout quality is not worse than the serving one.",
            )
        return redirect("admin:recommender_modelversion_changelist")
