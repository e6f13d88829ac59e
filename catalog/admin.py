from django.contrib import admin
from django.db.models import Q
from django.utils.html import format_html

from catalog.models import Credit, Genre, Movie, Person


class DecadeFilter(admin.SimpleListFilter):
    title = "decade"
    parameter_name = "decade"

    def lookups(self, request, model_admin):
        return [(str(decade), f"{decade}s") for decade in range(2020, 1890, -10)] + [
            ("none", "No year")
        ]

    def queryset(self, request, queryset):
        if self.value() == "none":
            return queryset.filter(year__isnull=True)
        if self.value():
            decade = int(self.value())
            return queryset.filter(year__gte=decade, year__lte=decade + 9)
        return queryset


class CreditInline(admin.TabularInline):
    model = Credit
    extra = 0
    autocomplete_fields = ["person"]
    fields = ["person", "kind", "character", "job", "department", "order"]


@admin.register(Movie)
class MovieAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "year",
        "movielens_id",
        "imdb_id",
        "tmdb_id",
        "tmdb_status",
        "rating_count",
        "rating_mean_display",
        "is_hidden",
    ]
    list_display_links = ["title"]
    list_editable = ["is_hidden"]
    list_filter = ["is_hidden", "tmdb_status", DecadeFilter, "genres"]
    search_fields = ["title", "movielens_title", "=imdb_id"]
    ordering = ["-rating_count"]
    list_per_page = 50
    filter_horizontal = ["genres"]
    inlines = [CreditInline]
    readonly_fields = [
        "movielens_title",
        "rating_count",
        "rating_mean",
        "score",
        "rating_histogram",
        "tmdb_synced_at",
        "created_at",
        "updated_at",
        "links",
    ]
    fieldsets = [
        (None, {"fields": ["title", "year", "genres", "is_hidden"]}),
        (
            "Identifiers",
            {"fields": ["movielens_id", "movielens_title", "imdb_id", "tmdb_id", "links"]},
        ),
        (
            "TMDB metadata",
            {
                "fields": [
                    "tmdb_status",
                    "tmdb_synced_at",
                    "overview",
                    "tagline",
                    "runtime",
                    "release_date",
                    "poster_path",
                    "backdrop_path",
                    "original_language",
                    "trailer_youtube_key",
                    "tmdb_vote_average",
                    "tmdb_vote_count",
                    "tmdb_popularity",
                ]
            },
        ),
        (
            "MovieLens ratings",
            {"fields": ["rating_count", "rating_mean", "score", "rating_histogram"]},
        ),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        if search_term.strip().isdigit():
            number = int(search_term)
            queryset |= self.model.objects.filter(Q(movielens_id=number) | Q(tmdb_id=number))
        return queryset, may_have_duplicates

    @admin.display(description="mean", ordering="rating_mean")
    def rating_mean_display(self, movie):
        return f"{movie.rating_mean:.2f}" if movie.rating_mean is not None else "—"

    @admin.display(description="links")
    def links(self, movie):
        parts = [
            format_html('<a href="{}">{}</a>', url, label)
            for url, label in [
                (movie.get_absolute_url(), "On the site"),
                (movie.imdb_url, "IMDb"),
                (movie.tmdb_url, "TMDB"),
            ]
            if url
        ]
        return format_html(" · ".join(["{}"] * len(parts)), *parts) if parts else "—"


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "tmdb_id"]
    search_fields = ["name", "=tmdb_id"]
