from django.contrib import admin

from recommender.models import ModelVersion


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "is_serving", "n_ratings", "n_items", "ndcg", "created_at"]
    list_filter = ["status", "is_serving"]
    readonly_fields = [
        field.name for field in ModelVersion._meta.fields if field.name not in ("id",)
    ]

    @admin.display(description="holdout nDCG@20")
    def ndcg(self, version):
        return (version.metrics or {}).get("ndcg", "—")

    def has_add_permission(self, request):
        return False
