"""Catalog pages: discover, browse, search, suggestions and the film page."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render
from django.utils.cache import add_never_cache_headers

from catalog import extensions
from catalog.forms import BrowseForm, SearchForm
from catalog.models import Credit, Genre, Movie
from catalog.page_cache import cache_for_visitors
from catalog.search import search_movies
from catalog.tasks import queue_refresh_if_stale

ROW_LENGTH = 12
GENRE_ROWS = 6
PAGE_SIZE = 24
SUGGESTIONS = 8
SEARCH_RESULTS = 100
TOP_RATED_MIN_SHARE = 0.5


def _cards(queryset, user):
    return extensions.with_member_state(queryset.with_card_data(), user)


@cache_for_visitors
def home(request):
    """Discover: popular and top-rated rows, then the most popular genres."""
    user = request.user
    visible = extensions.discoverable_by(Movie.objects.all(), user)
    popular = list(_cards(visible.popular(), user)[:ROW_LENGTH])
    # "Top rated" means well rated by many: at least half the ratings of the
    # least-popular film in the popular row keeps one-rating wonders out.
    floor = int(popular[-1].rating_count * TOP_RATED_MIN_SHARE) if popular else 0
    rows = [
        ("Popular on NextFilms", popular, "?sort=popular"),
        ("Top rated", list(_cards(visible.top_rated(floor), user)[:ROW_LENGTH]), "?sort=rating"),
    ]
    genres = Genre.objects.exclude(movies=None).order_by("name")
    context = {
        "rows": rows,
        # Their films come as the visitor scrolls to them (genre_row); without
        # JavaScript each row links to its genre's page.
        "genre_rows": list(Genre.objects.largest(GENRE_ROWS)) if popular else [],
        "genres": genres,
        **extensions.page_extras("home", request),
    }
    return render(request, "catalog/home.html", context)


@cache_for_visitors
def genre_row(request, slug):
    """One of Discover's genre rows: its cards, as a fragment site.js puts in the row."""
    genre = get_object_or_404(Genre, slug=slug)
    visible = extensions.discoverable_by(Movie.objects.all(), request.user)
    movies = list(_cards(visible.filter(genres=genre).popular(), request.user)[:ROW_LENGTH])
    return render(request, "catalog/_row_cards.html", {"movies": movies})


@cache_for_visitors
def browse(request):
    form = BrowseForm(request.GET or None)
    movies = Movie.objects.visible()
    movies = form.filter(movies) if form.is_bound and form.is_valid() else movies.popular()
    page = Paginator(_cards(movies, request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "catalog/browse.html",
        {
            "form": form,
            "page": page,
            "query_string": query.urlencode(),
            "chosen_genre_ids": {genre.pk for genre in form.chosen_genres()},
        },
    )


@cache_for_visitors
def search(request):
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    queryset = extensions.with_member_state(Movie.objects.visible(), request.user)
    results = search_movies(query, limit=SEARCH_RESULTS, queryset=queryset) if query else []
    page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/search.html",
        {"form": form, "query": query, "page": page, "query_string": urlencode({"q": query})},
        status=200 if form.is_valid() else 400,
    )


@cache_for_visitors
def suggest(request):
    """The search box's suggestions, as an HTML fragment for the script to insert."""
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    movies = search_movies(query, limit=SUGGESTIONS) if len(query.strip()) >= 2 else []
    return render(request, "catalog/_suggestions.html", {"movies": movies, "query": query})


@cache_for_visitors
def movie_detail(request, pk):
    films = extensions.with_member_state(Movie.objects.visible(), request.user)
    movie = get_object_or_404(
        films.prefetch_related(
            "genres",
            "keywords",
            Prefetch(
                "credits",
                queryset=Credit.objects.select_related("person").order_by("kind", "order"),
            ),
        ),
        pk=pk,
    )
    refreshing = queue_refresh_if_stale(movie)
    credits = list(movie.credits.all())
    histogram = movie.rating_histogram or []
    peak = max(histogram, default=0) or 1
    distribution = [
        {"stars": (index + 1) / 2, "count": count, "percent": round(100 * count / peak)}
        for index, count in enumerate(histogram)
    ]
    context = {
        "movie": movie,
        "cast": [c for c in credits if c.kind == Credit.Kind.CAST][:12],
        "directors": [c.person for c in credits if c.job == "Director"],
        "writers": [c.person for c in credits if c.department == "Writing"],
        "distribution": distribution,
        **extensions.page_extras("movie_detail", request, movie=movie),
    }
    response = render(request, "catalog/movie_detail.html", context)
    if refreshing:
        # Fresh TMDB details are on their way: nobody should be served this copy later.
        add_never_cache_headers(response)
    return response
