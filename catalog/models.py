"""The film catalog: movies from MovieLens, enriched with TMDB metadata."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from catalog import text
from catalog.tmdb.images import image_base_url


class GenreQuerySet(models.QuerySet):
    def largest(self, count):
        """The ``count`` genres with the most films, largest first."""
        return self.annotate(size=models.Count("movies")).order_by("-size", "name")[:count]


class Genre(models.Model):
    name = models.CharField(max_length=64, unique=True)
    slug = models.SlugField(max_length=64, unique=True)

    objects = GenreQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugify(self.name)
        super().save(*args, **kwargs)


class MovieQuerySet(models.QuerySet):
    def visible(self):
        """Movies the public site may show (staff can hide a movie)."""
        return self.filter(is_hidden=False)

    def with_card_data(self):
        """What a film card needs, fetched in a constant number of queries."""
        return self.prefetch_related("genres")

    def popular(self):
        return self.order_by("-rating_count", "-score", "id")

    def top_rated(self, min_ratings=None):
        """Best weighted score; ``min_ratings`` keeps obscure one-rating films out."""
        queryset = self
        if min_ratings:
            queryset = queryset.filter(rating_count__gte=min_ratings)
        return queryset.order_by("-score", "-rating_count", "id")

    def with_tmdb_lookup_key(self):
        """Films TMDB can be asked about: a TMDB id, or an IMDb id to find one by."""
        return self.filter(Q(tmdb_id__isnull=False) | ~Q(imdb_id=""))

    def needing_tmdb_sync(self, now=None):
        """Films owed a fetch: never fetched (or marked for refresh), or failed and due again."""
        now = now or timezone.now()
        status = Movie.TmdbStatus
        return self.with_tmdb_lookup_key().filter(
            Q(tmdb_status=status.PENDING)
            | Q(tmdb_status=status.FAILED, tmdb_next_attempt_at__lte=now)
        )


class Movie(models.Model):
    class TmdbStatus(models.TextChoices):
        PENDING = "pending", "Pending"
        OK = "ok", "Synced"
        NOT_FOUND = "not_found", "Not found on TMDB"
        FAILED = "failed", "Failed"

    movielens_id = models.PositiveIntegerField("MovieLens id", unique=True)
    title = models.CharField(
        max_length=300,
        help_text="Display title: TMDB's title once synced, else MovieLens's main title, "
        "article first.",
    )
    movielens_title = models.CharField(max_length=300, help_text="Title as MovieLens writes it.")
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    genres = models.ManyToManyField(Genre, related_name="movies", blank=True)
    imdb_id = models.CharField("IMDb id", max_length=12, blank=True, db_index=True)
    tmdb_id = models.PositiveIntegerField("TMDB id", null=True, blank=True, unique=True)
    search_text = models.CharField(max_length=700, editable=False, default="")

    # Filled by the TMDB sync.
    tmdb_title = models.CharField(
        "TMDB title", max_length=300, blank=True, help_text="The title TMDB gives the film."
    )
    overview = models.TextField(blank=True)
    tagline = models.CharField(max_length=500, blank=True)
    runtime = models.PositiveSmallIntegerField("runtime (minutes)", null=True, blank=True)
    release_date = models.DateField(null=True, blank=True)
    poster_path = models.CharField(max_length=200, blank=True)
    backdrop_path = models.CharField(max_length=200, blank=True)
    original_language = models.CharField(max_length=16, blank=True)
    trailer_youtube_key = models.CharField(max_length=64, blank=True)
    tmdb_vote_average = models.FloatField(null=True, blank=True)
    tmdb_vote_count = models.PositiveIntegerField(null=True, blank=True)
    tmdb_popularity = models.FloatField(null=True, blank=True)
    tmdb_status = models.CharField(
        "TMDB status", max_length=16, choices=TmdbStatus, default=TmdbStatus.PENDING
    )
    tmdb_synced_at = models.DateTimeField(
        "TMDB synced at", null=True, blank=True, help_text="When TMDB last answered for it."
    )
    tmdb_attempts = models.PositiveSmallIntegerField(
        "TMDB failed attempts", default=0, help_text="Failed fetches in a row; 0 after a success."
    )
    tmdb_last_error = models.TextField("TMDB last error", blank=True)
    tmdb_next_attempt_at = models.DateTimeField(
        "TMDB next attempt at",
        null=True,
        blank=True,
        help_text="When a failed film is tried again; empty: only when staff ask.",
    )
    tmdb_genres = models.JSONField(
        "TMDB genres",
        default=list,
        blank=True,
        help_text="Genre names as TMDB gives them; MovieLens genres stay the browse filter.",
    )
    keywords = models.ManyToManyField("Keyword", related_name="movies", blank=True)
    companies = models.ManyToManyField(
        "Company",
        related_name="movies",
        blank=True,
        help_text="TMDB production companies; with keywords, the recommender's content rows.",
    )
    tmdb_collection_id = models.PositiveIntegerField(
        "TMDB collection id",
        null=True,
        blank=True,
        help_text="The series TMDB puts the film in (belongs_to_collection); "
        '"more like this" leads with its other parts.',
    )
    tmdb_collection_name = models.CharField("TMDB collection", max_length=300, blank=True)

    # Community figures: MovieLens's ratings and the site's members' together,
    # kept by ratings.aggregates. The MovieLens part is stored on its own, so a
    # member's rating updates one film without reading MovieLens's ratings.
    movielens_histogram = models.JSONField(
        default=list,
        blank=True,
        help_text="Counts of MovieLens ratings 0.5, 1.0, … 5.0, from the last import.",
    )
    rating_count = models.PositiveIntegerField(default=0)
    rating_mean = models.FloatField(null=True, blank=True)
    rating_histogram = models.JSONField(
        default=list, blank=True, help_text="Counts of ratings 0.5, 1.0, … 5.0."
    )
    score = models.FloatField(
        default=0, help_text="Weighted rating: the mean pulled toward the catalog mean."
    )

    is_hidden = models.BooleanField(
        "hidden from the site", default=False, help_text="Hidden films give 404 to visitors."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = MovieQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        indexes = [
            models.Index(fields=["-rating_count", "-score"], name="movie_popular_idx"),
            models.Index(fields=["-score", "-rating_count"], name="movie_top_rated_idx"),
            models.Index(fields=["year"], name="movie_year_idx"),
            models.Index(fields=["tmdb_status"], name="movie_tmdb_status_idx"),
            # Every recommendation excludes the (few) films staff hid.
            models.Index(fields=["id"], condition=Q(is_hidden=True), name="movie_hidden_idx"),
            models.Index(fields=["title"], name="movie_title_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1870, year__lte=2100),
                name="movie_year_plausible",
            ),
            models.CheckConstraint(
                condition=Q(imdb_id="") | Q(imdb_id__regex=r"^tt[0-9]{7,}$"),
                name="movie_imdb_id_format",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.year})" if self.year else self.title

    def save(self, *args, **kwargs):
        self.search_text = text.search_text(self.title, self.movielens_title or self.title)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("catalog:movie_detail", args=[self.pk])

    @property
    def poster_url(self):
        return f"{image_base_url()}w342{self.poster_path}" if self.poster_path else ""

    def _poster_srcset(self, widths):
        if not self.poster_path:
            return ""
        base = image_base_url()
        return ", ".join(f"{base}w{width}{self.poster_path} {width}w" for width in widths)

    @property
    def poster_srcset(self):
        """TMDB's poster sizes a card may need, for the browser to pick by screen density."""
        return self._poster_srcset((185, 342, 500))

    @property
    def poster_srcset_large(self):
        return self._poster_srcset((342, 500, 780))

    @property
    def imdb_url(self):
        return f"https://www.imdb.com/title/{self.imdb_id}/" if self.imdb_id else ""

    @property
    def tmdb_url(self):
        return f"https://www.themoviedb.org/movie/{self.tmdb_id}" if self.tmdb_id else ""

    @property
    def trailer_url(self):
        if not self.trailer_youtube_key:
            return ""
        return f"https://www.youtube.com/watch?v={self.trailer_youtube_key}"

    @property
    def placeholder_hue(self):
        """A stable colour for the generated poster placeholder."""
        return (self.movielens_id * 47) % 360

    @property
    def decade(self):
        return self.year - self.year % 10 if self.year else None


def url_slug(name, fallback):
    """The readable part of a page address (``/people/31-tom-hanks/``); never empty."""
    return slugify(name)[:60].strip("-") or fallback


class NamedPage(models.Model):
    """Something with a name, found by search and shown on its own page
    (``/<kind>/<id>-<slug>/``; ``page_url`` names the route, ``slug_fallback``
    stands in for a name with no letters)."""

    name = models.CharField(max_length=200)
    search_text = models.CharField(max_length=200, editable=False, default="")

    page_url = ""
    slug_fallback = ""

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.search_text = text.normalize(self.name)[:200]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse(self.page_url, args=[self.pk, self.slug])

    @property
    def slug(self):
        return url_slug(self.name, self.slug_fallback)


class Person(NamedPage):
    tmdb_id = models.PositiveIntegerField("TMDB id", null=True, blank=True, unique=True)
    profile_path = models.CharField(max_length=200, blank=True)

    page_url = "catalog:person_detail"
    slug_fallback = "person"

    class Meta(NamedPage.Meta):
        verbose_name_plural = "people"
        indexes = [models.Index(fields=["name"], name="person_name_idx")]

    @property
    def profile_url(self):
        return f"{image_base_url()}w185{self.profile_path}" if self.profile_path else ""

    @property
    def profile_srcset(self):
        if not self.profile_path:
            return ""
        base = image_base_url()
        return f"{base}w185{self.profile_path} 185w, {base}h632{self.profile_path} 421w"

    @property
    def tmdb_url(self):
        return f"https://www.themoviedb.org/person/{self.tmdb_id}" if self.tmdb_id else ""

    @property
    def initials(self):
        """Up to two initials for the placeholder drawn when TMDB has no photo."""
        return "".join(word[0] for word in self.name.split()[:2] if word[0].isalnum()).upper()

    @property
    def placeholder_hue(self):
        return (self.pk * 47) % 360 if self.pk else 220


class Keyword(NamedPage):
    """A TMDB keyword ("heist", "based on novel or book"), for content similarity."""

    tmdb_id = models.PositiveIntegerField("TMDB id", unique=True)

    page_url = "catalog:keyword_detail"
    slug_fallback = "keyword"

    class Meta(NamedPage.Meta):
        indexes = [models.Index(fields=["name"], name="keyword_name_idx")]


class Company(NamedPage):
    """A TMDB production company ("Pixar", "Studio Ghibli"): films of one studio go together."""

    tmdb_id = models.PositiveIntegerField("TMDB id", unique=True)

    page_url = "catalog:company_detail"
    slug_fallback = "studio"

    class Meta(NamedPage.Meta):
        verbose_name_plural = "companies"


class CreditQuerySet(models.QuerySet):
    def cast(self):
        return self.filter(kind=Credit.Kind.CAST).order_by("order")

    def directors(self):
        return self.filter(kind=Credit.Kind.CREW, job="Director")


class Credit(models.Model):
    class Kind(models.TextChoices):
        CAST = "cast", "Cast"
        CREW = "crew", "Crew"

    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="credits")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="credits")
    kind = models.CharField(max_length=4, choices=Kind)
    character = models.CharField(max_length=300, blank=True)
    job = models.CharField(max_length=100, blank=True)
    department = models.CharField(max_length=100, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    objects = CreditQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["movie", "person", "kind", "job", "character"],
                name="credit_unique_role",
            )
        ]

    def __str__(self):
        role = self.character if self.kind == self.Kind.CAST else self.job
        return f"{self.person} — {role}" if role else str(self.person)


class SyncRun(models.Model):
    """One pass of the TMDB sync, split in chunks; staff follow its progress in the admin.

    Each chunk writes its own outcome counts into ``chunk_results`` (keyed by chunk
    number), so a chunk delivered twice after a worker died is counted once; the
    totals are the sums of those entries. ``chunks`` keeps each chunk's film ids so
    that staff can queue again the chunks of a run whose worker died.
    """

    class Kind(models.TextChoices):
        BACKFILL = "backfill", "Backfill"
        CHANGES = "changes", "Daily changes"
        ON_DEMAND = "on_demand", "On demand"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        FINISHED = "finished", "Finished"
        STOPPED = "stopped", "Stopped"

    kind = models.CharField(max_length=16, choices=Kind)
    status = models.CharField(max_length=16, choices=Status, default=Status.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0, help_text="Films in this run.")
    done = models.PositiveIntegerField(default=0, help_text="Films synced.")
    not_found = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    chunks_total = models.PositiveIntegerField(default=0)
    chunks = models.JSONField(
        default=list, blank=True, help_text="The film ids of each chunk, to queue again on resume."
    )
    chunk_results = models.JSONField(default=dict, blank=True)
    last_error = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["kind", "status"], name="syncrun_kind_status_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def processed(self):
        return self.done + self.not_found + self.failed


class TMDBSyncState(models.Model):
    """The one row of sync-wide state: a credential TMDB refused, the changes watermark."""

    auth_error = models.TextField(
        blank=True, help_text="Why TMDB refused our credential; syncing waits until it is fixed."
    )
    auth_error_at = models.DateTimeField(null=True, blank=True)
    changes_synced_until = models.DateField(
        null=True, blank=True, help_text="The daily changes pass has covered TMDB up to this day."
    )

    class Meta:
        verbose_name = "TMDB sync state"
        verbose_name_plural = "TMDB sync state"

    def __str__(self):
        return "TMDB sync state"

    @classmethod
    def load(cls):
        state, _ = cls.objects.get_or_create(pk=1)
        return state


class MovieTag(models.Model):
    """A MovieLens tag on a film, with how many MovieLens users applied it."""

    movie = models.ForeignKey(Movie, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(max_length=100, help_text="Lower-cased, as people typed it.")
    count = models.PositiveIntegerField(default=1)
    search_text = models.CharField(max_length=100, editable=False, default="")

    class Meta:
        ordering = ["-count", "tag"]
        constraints = [
            models.UniqueConstraint(fields=["movie", "tag"], name="movie_tag_once"),
        ]
        indexes = [models.Index(fields=["tag"], name="movie_tag_tag_idx")]

    def __str__(self):
        return f"{self.movie}: {self.tag} ×{self.count}"

    def save(self, *args, **kwargs):
        self.search_text = text.normalize(self.tag)[:100]
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return tag_url(self.tag)


def tag_url(tag):
    """The page of the films MovieLens members tagged ``tag``."""
    return reverse("catalog:tag_detail", args=[tag])
