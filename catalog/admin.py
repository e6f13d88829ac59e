"""Staff curation of the catalog, and the TMDB sync's controls and progress."""

from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.options import IncorrectLookupParameters
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.text import Truncator

from catalog import text
from catalog.models import (
    Company,
    Credit,
    Genre,
    Keyword,
    Movie,
    MovieTag,
    Person,
    SyncRun,
)
from catalog.tasks import QueueingFailed, dispatch, sync_movies_now
from catalog.tmdb import runs

TMDB_IDENTIFIERS = ("tmdb_id", "imdb_id")


def warn_about_tmdb_credential(request):
    problem = runs.auth_problem()
    if problem:
        messages.error(request, f"The TMDB sync is stopped: {problem}")


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
            decade = text.parse_whole_number(self.value())
            if decade is None:
                # The admin turns this into its "invalid filter" notice, not a 500.
                raise IncorrectLookupParameters(f"{self.value()!r} is not a decade.")
            return queryset.filter(year__gte=decade, year__lte=decade + 9)
        return queryset


class TmdbErrorFilter(admin.SimpleListFilter):
    title = "TMDB error"
    parameter_name = "tmdb_error"

    def lookups(self, request, model_admin):
        return [
            ("retrying", "Failed, will retry"),
            ("staff", "Failed, waits for staff"),
            ("any", "Any recorded error"),
        ]

    def queryset(self, request, queryset):
        failed = queryset.filter(tmdb_status=Movie.TmdbStatus.FAILED)
        if self.value() == "retrying":
            return failed.filter(tmdb_next_attempt_at__isnull=False)
        if self.value() == "staff":
            return failed.filter(tmdb_next_attempt_at__isnull=True)
        if self.value() == "any":
            return queryset.exclude(tmdb_last_error="")
        return queryset


class MovieTagInline(admin.TabularInline):
    model = MovieTag
    extra = 0
    fields = ["tag", "count"]
    readonly_fields = ["tag", "count"]
    can_delete = False
    max_num = 0
    verbose_name_plural = "MovieLens tags (from the last import)"


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
        "tmdb_attempts",
        "tmdb_error_summary",
        "rating_count",
        "rating_mean_display",
        "is_hidden",
    ]
    list_display_links = ["title"]
    list_editable = ["is_hidden"]
    list_filter = ["is_hidden", "tmdb_status", TmdbErrorFilter, DecadeFilter, "genres"]
    actions = ["sync_from_tmdb_now"]
    autocomplete_fields = ["keywords", "companies"]
    search_fields = ["title", "movielens_title", "=imdb_id"]
    ordering = ["-rating_count"]
    list_per_page = 50
    filter_horizontal = ["genres"]
    inlines = [CreditInline, MovieTagInline]
    readonly_fields = [
        "movielens_title",
        "tmdb_title",
        "rating_count",
        "rating_mean",
        "score",
        "rating_histogram",
        "movielens_histogram",
        "tmdb_synced_at",
        "tmdb_attempts",
        "tmdb_last_error",
        "tmdb_next_attempt_at",
        "tmdb_genres",
        "tmdb_collection_id",
        "tmdb_collection_name",
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
                    "tmdb_title",
                    "tmdb_synced_at",
                    "tmdb_attempts",
                    "tmdb_last_error",
                    "tmdb_next_attempt_at",
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
                    "tmdb_genres",
                    "tmdb_collection_id",
                    "tmdb_collection_name",
                    "keywords",
                    "companies",
                ]
            },
        ),
        (
            "Ratings (MovieLens and members)",
            {
                "fields": [
                    "rating_count",
                    "rating_mean",
                    "score",
                    "rating_histogram",
                    "movielens_histogram",
                ]
            },
        ),
        ("History", {"fields": ["created_at", "updated_at"], "classes": ["collapse"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        number = text.parse_whole_number(search_term)
        if number is not None:
            queryset |= self.model.objects.filter(Q(movielens_id=number) | Q(tmdb_id=number))
        return queryset, may_have_duplicates

    def save_model(self, request, obj, form, change):
        # A corrected mapping deserves a fresh fetch, whatever the old one found.
        if change and any(name in form.changed_data for name in TMDB_IDENTIFIERS):
            obj.tmdb_status = Movie.TmdbStatus.PENDING
            obj.tmdb_attempts = 0
            obj.tmdb_last_error = ""
            obj.tmdb_next_attempt_at = None
        super().save_model(request, obj, form, change)

    def changelist_view(self, request, extra_context=None):
        warn_about_tmdb_credential(request)
        return super().changelist_view(request, extra_context)

    @admin.action(description="Sync from TMDB now")
    def sync_from_tmdb_now(self, request, queryset):
        if not settings.TMDB_API_TOKEN:
            self.message_user(
                request, "TMDB_API_TOKEN is not set, so nothing can be fetched.", messages.ERROR
            )
            return
        try:
            run = sync_movies_now(queryset.values_list("pk", flat=True))
        except QueueingFailed as error:
            self.message_user(request, str(error), messages.ERROR)
            return
        url = reverse("admin:catalog_syncrun_change", args=[run.pk])
        self.message_user(
            request,
            format_html(
                'Queued {} films for TMDB: <a href="{}">follow {}</a>.', run.total, url, run
            ),
            messages.SUCCESS,
        )

    @admin.display(description="TMDB error", ordering="tmdb_last_error")
    def tmdb_error_summary(self, movie):
        return Truncator(movie.tmdb_last_error).chars(60) or "—"

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


class TmdbFeatureAdmin(admin.ModelAdmin):
    """A named TMDB thing films have (keywords, companies), with its number of films."""

    list_display = ["name", "tmdb_id", "film_count"]
    search_fields = ["name", "=tmdb_id"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(film_count=Count("movies"))

    @admin.display(description="films", ordering="film_count")
    def film_count(self, feature):
        return feature.film_count


admin.site.register(Keyword, TmdbFeatureAdmin)
admin.site.register(Company, TmdbFeatureAdmin)


@admin.register(SyncRun)
class SyncRunAdmin(admin.ModelAdmin):
    """Progress and failures of TMDB sync runs; the runs themselves are the sync's to write."""

    list_display = [
        "__str__",
        "status_display",
        "progress",
        "done",
        "not_found",
        "failed",
        "started_at",
        "finished_at",
        "error_summary",
    ]
    list_filter = ["kind", "status"]
    actions = ["resume_stalled_runs"]
    fields = [
        "kind",
        "status_display",
        "progress",
        "total",
        "done",
        "not_found",
        "failed",
        "failed_films",
        "chunks_total",
        "started_at",
        "updated_at",
        "finished_at",
        "last_error",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_resume_permission(self, request):
        # Resuming fetches films' metadata again: for staff who may change films.
        return request.user.has_perm("catalog.change_movie")

    def get_queryset(self, request):
        return super().get_queryset(request).defer("chunks")

    def changelist_view(self, request, extra_context=None):
        warn_about_tmdb_credential(request)
        return super().changelist_view(request, extra_context)

    @admin.action(
        description="Resume: queue again the chunks that never finished",
        permissions=["resume"],
    )
    def resume_stalled_runs(self, request, queryset):
        for run in queryset.only("pk"):
            try:
                plan = runs.resume_run(run.pk)
                dispatch(plan)
            except (runs.NotResumable, QueueingFailed) as error:
                self.message_user(request, str(error), messages.ERROR)
                continue
            films = sum(len(chunk) for chunk in plan.chunks)
            self.message_user(
                request,
                f"{plan.run}: {len(plan.chunks)} chunks ({films:,} films) queued again.",
                messages.SUCCESS,
            )

    @admin.display(description="status", ordering="status")
    def status_display(self, run):
        quiet = runs.stalled_for(run)
        if quiet is None:
            return run.get_status_display()
        minutes = int(quiet.total_seconds() // 60)
        return f"Stalled: no chunk finished for {minutes} min (a worker died?); resume it"

    @admin.display(description="progress")
    def progress(self, run):
        percent = 100 * run.processed // run.total if run.total else 100
        return f"{run.processed:,} of {run.total:,} ({percent}%)"

    @admin.display(description="failed films")
    def failed_films(self, run):
        url = reverse("admin:catalog_movie_changelist")
        return format_html(
            '<a href="{}?tmdb_status__exact=failed">Films whose last fetch failed</a>', url
        )

    @admin.display(description="last error")
    def error_summary(self, run):
        return Truncator(run.last_error).chars(80) or "—"
