from django.contrib import admin

from ratings.models import DiaryEntry, ListEntry, Rating


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ["user", "movie", "value", "rated_at", "updated_at"]
    list_filter = ["value", "updated_at"]
    list_select_related = ["user", "movie"]
    search_fields = ["user__username", "user__email", "movie__title"]
    raw_id_fields = ["user", "movie"]
    date_hierarchy = "updated_at"
    readonly_fields = ["created_at", "updated_at"]


@admin.register(ListEntry)
class ListEntryAdmin(admin.ModelAdmin):
    list_display = ["user", "movie", "kind", "created_at"]
    list_filter = ["kind", "created_at"]
    list_select_related = ["user", "movie"]
    search_fields = ["user__username", "user__email", "movie__title"]
    raw_id_fields = ["user", "movie"]
    readonly_fields = ["created_at"]


@admin.register(DiaryEntry)
class DiaryEntryAdmin(admin.ModelAdmin):
    list_display = ["user", "movie", "watched_on", "rating", "rewatch"]
    list_filter = ["rewatch", "watched_on"]
    list_select_related = ["user", "movie"]
    search_fields = ["user__username", "user__email", "movie__title"]
    raw_id_fields = ["user", "movie"]
    date_hierarchy = "watched_on"
    readonly_fields = ["created_at"]
