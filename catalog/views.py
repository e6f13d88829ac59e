"""Catalog pages: discover, browse, search, suggestions, the film page, people and tags."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers

from catalog import extensions, filmography
from catalog.forms import BrowseForm, SearchForm
from catalog.models import Company, Credit, Genre, Keyword, Movie, MovieTag, Person
from catalog.page_cache import cache_for_members, cache_for_visitors
from catalog.search import search_everything
from catalog.tasks import queue_refresh_if_stale

ROW_LENGTH = 12
GENRE_ROWS = 6
PAGE_SIZE = 24
SUGGESTIONS = 6
SUGGESTED_PEOPLE = 3
SUGGESTED_TAGS = 3
SEARCH_RESULTS = 100
SEARCH_PEOPLE = 12
SEARCH_TAGS = 12
FILM_PAGE_TAGS = 20
FILMOGRAPHY_PAGE_SIZE = 48
TOP_RATED_MIN_SHARE = 0.5


def _cards(queryset, user):
    return extensions.with_member_state(queryset.with_card_data(), user)


@cache_for_visitors
@cache_for_members
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
@cache_for_members
def genre_row(request, slug):
    """One of Discover's genre rows: its cards, as a fragment site.js puts in the row."""
    genre = get_object_or_404(Genre, slug=slug)
    visible = extensions.discoverable_by(Movie.objects.all(), request.user)
    movies = list(_cards(visible.filter(genres=genre).popular(), request.user)[:ROW_LENGTH])
    return render(request, "catalog/_row_cards.html", {"movies": movies})


@cache_for_visitors
@cache_for_members
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
    """Films, people and tags for the query, in groups, the best-matching group first."""
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    queryset = extensions.with_member_state(Movie.objects.visible(), request.user)
    results = (
        search_everything(
            query,
            films=SEARCH_RESULTS,
            people=SEARCH_PEOPLE,
            tags=SEARCH_TAGS,
            queryset=queryset,
        )
        if query
        else None
    )
    page = Paginator(results.films if results else [], PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "catalog/search.html",
        {
            "form": form,
            "query": query,
            "results": results,
            # People and tags lead the first page only; later pages are more films.
            "first_page": page.number == 1,
            "page": page,
            "query_string": urlencode({"q": query}),
        },
        status=200 if form.is_valid() else 400,
    )


@cache_for_visitors
def suggest(request):
    """The search box's suggestions, as an HTML fragment for the script to insert."""
    form = SearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    results = None
    if len(query.strip()) >= 2:
        results = search_everything(
            query, films=SUGGESTIONS, people=SUGGESTED_PEOPLE, tags=SUGGESTED_TAGS
        )
    return render(request, "catalog/_suggestions.html", {"results": results, "query": query})


@cache_for_visitors
@cache_for_members
def movie_detail(request, pk):
    films = extensions.with_member_state(Movie.objects.visible(), request.user)
    movie = get_object_or_404(
        films.prefetch_related(
            "genres",
            "keywords",
            "companies",
            Prefetch("tags", queryset=MovieTag.objects.order_by("-count", "tag")),
            Prefetch(
                "credits",
                queryset=Credit.objects.select_related("person").order_by("kind", "order"),
            ),
        ),
        pk=pk,
    )
    refreshing = queue_refresh_if_stale(movie)
    credits = list(movie.credits.all())
    tags = list(movie.tags.all())
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
        "writers": list(
            {c.person.pk: c.person for c in credits if c.department == "Writing"}.values()
        ),
        "tags": tags[:FILM_PAGE_TAGS],
        "distribution": distribution,
        **extensions.page_extras("movie_detail", request, movie=movie),
    }
    response = render(request, "catalog/movie_detail.html", context)
    if refreshing:
        # Fresh TMDB details are on their way: nobody should be served this copy later.
        add_never_cache_headers(response)
    return response


@cache_for_visitors
def person_detail(request, pk, slug=None):
    """A person's page: photo, known for, the films they directed, wrote or acted in."""
    person = get_object_or_404(Person, pk=pk)
    if slug != person.slug:
        return redirect(person, permanent=True)
    user = request.user
    sort = request.GET.get("sort")
    sort = sort if sort in filmography.FILMOGRAPHY_SORTS else "year"
    role = request.GET.get("role")
    role = role if role in filmography.ROLES else ""
    films = filmography.filmography(person, user, sort)
    extras = extensions.page_extras(
        "person_detail", request, person=person, movie_ids=[e.pk for e in films.entries]
    )
    page = Paginator(films.with_role(role), FILMOGRAPHY_PAGE_SIZE).get_page(request.GET.get("page"))
    known_for = [entry.pk for entry in films.known_for]
    unseen = filmography.unseen_best_first(
        films.entries, extras.get("member_order"), extras.get("seen_movie_ids", ())
    )
    if not user.is_authenticated:
        unseen = []
    # Card data only for the films the page shows.
    cards = _cards(Movie.objects.all(), user).in_bulk(
        {entry.pk for entry in page.object_list} | set(known_for) | set(unseen)
    )
    _attach_predictions(cards.values(), extras.get("predicted_ratings", {}))
    query = {"sort": sort, **({"role": role} if role else {})}
    return render(
        request,
        "catalog/person_detail.html",
        {
            "person": person,
            "films": films,
            "film_count": len(films.entries),
            "page": page,
            "listed": [
                (cards[entry.pk], entry.role_note)
                for entry in page.object_list
                if entry.pk in cards
            ],
            "known_for": [cards[pk] for pk in known_for if pk in cards],
            "unseen": [cards[pk] for pk in unseen if pk in cards],
            "member_average": filmography.member_average(films.entries),
            "sort": sort,
            "sorts": filmography.FILMOGRAPHY_SORTS.items(),
            "role": role,
            "roles": [
                (key, label, films.role_counts[key])
                for key, label in filmography.ROLES.items()
                if films.role_counts[key]
            ],
            "query_string": urlencode(query),
        },
    )


@cache_for_visitors
def tag_detail(request, tag):
    """The films MovieLens members tagged ``tag``, ranked for the member."""
    if not MovieTag.objects.filter(tag=tag).exists():
        raise Http404("No film carries this tag.")
    movies = Movie.objects.filter(tags__tag=tag)
    return _film_group(request, movies, {"title": tag, "kind": "tag"})


@cache_for_visitors
def keyword_detail(request, pk, slug=None):
    """The films TMDB gives ``keyword``, ranked for the member."""
    return _tmdb_feature_page(request, Keyword, pk, slug, "keywords", "keyword")


@cache_for_visitors
def company_detail(request, pk, slug=None):
    """The films a production company made, ranked for the member."""
    return _tmdb_feature_page(request, Company, pk, slug, "companies", "company")


def _tmdb_feature_page(request, model, pk, slug, movie_field, kind):
    """The films with one TMDB keyword or company; other slugs redirect to its own."""
    feature = get_object_or_404(model, pk=pk)
    if slug != feature.slug:
        return redirect(feature, permanent=True)
    movies = Movie.objects.filter(**{movie_field: feature})
    return _film_group(request, movies, {"title": feature.name, "kind": kind})


def _film_group(request, movies, context):
    """A page of films sharing a tag, keyword or studio: the recommender's order for members
    (films they have not rated first), community score otherwise."""
    by_score = list(
        movies.visible().order_by("-score", "-rating_count", "id").values_list("id", flat=True)
    )
    extras = extensions.page_extras("film_group", request, movie_ids=by_score)
    ordered = filmography.ranked_ids(by_score, extras.get("member_order"))
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    page_movies = filmography.movies_in_order(
        _cards(Movie.objects.visible(), request.user), list(page.object_list)
    )
    _attach_predictions(page_movies, extras.get("predicted_ratings", {}))
    return render(
        request,
        "catalog/film_group.html",
        {
            **context,
            "film_count": len(by_score),
            "page": page,
            "movies": page_movies,
            "personal": bool(extras.get("member_order")),
            "query_string": "",
        },
    )


def _attach_predictions(movies, predicted_ratings):
    """``predicted_rating`` on each film the member has not rated, where the model has one."""
    for movie in movies:
        movie.predicted_rating = (
            predicted_ratings.get(movie.pk) if movie.user_rating is None else None
        )
