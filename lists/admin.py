from django.contrib import admin

from lists.models import FilmList, ListItem


class ListItemInline(admin.TabularInline):
    model = ListItem
    raw_id_fields = ["movie"]
    extra = 0


@admin.register(FilmList)
class FilmListAdmin(admin.ModelAdmin):
    list_display = ["title", "owner", "is_public", "updated_at"]
    list_filter = ["is_public"]
    list_select_related = ["owner"]
    search_fields = ["title", "owner__username", "owner__email"]
    raw_id_fields = ["owner"]
    readonly_fields = ["created_at", "updated_at"]
    inlines = [ListItemInline]
