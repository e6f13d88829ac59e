"""A member's films: rate, keep lists, and the pages that show them.

The actions answer a plain form POST with a redirect back, and a script's
``fetch`` (header ``X-Requested-With: fetch``) with the re-rendered actions
fragment, so the page updates in place from one template.
"""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog.models import Genre, Movie
from nextfilms.http import safe_next_url
from ratings import actions, pending
from ratings import onboarding as onboarding_films
from ratings.member_state import with_member_state
from ratings.models import HALF_STARS, ListEntry, Rating

PAGE_SIZE = 24
RATING_SORTS = {
    # By when the member rated (an imported rating keeps its file's date), not by
    # when the row last changed: an import of old ratings does not lead the page.
    "recent": ("Recently rated", ["-rated_at", "-id"]),
    "highest": ("Highest rated", ["-value", "-rated_at", "-id"]),
    "lowest": ("Lowest rated", ["value", "-rated_at", "-id"]),
    "title": ("Title A–Z", ["movie__title", "movie__year", "id"]),
}


def _is_fetch(request):
    return request.headers.get("X-Requested-With") == "fetch"


def _back(request, movie):
    return safe_next_url(request, request.POST.get("next"), movie.get_absolute_url())


def member_action(view):
    """POST only; a visitor who is not logged in goes to log in, then back to the page."""

    @require_POST
    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        movie = get_object_or_404(Movie.objects.visible(), pk=pk)
        if not request.user.is_authenticated:
            # Their click comes along, to be applied once they have logged in.
            click = pending.query_for(movie, kwargs.get("kind", pending.RATE), request.POST)
            query = {"next": _back(request, movie), **click}
            return redirect(f"{reverse(settings.LOGIN_URL)}?{urlencode(query)}")
        return view(request, movie, *args, **kwargs)

    return wrapper


def _respond(request, movie, message, status=200):
    if _is_fetch(request):
        movie = with_member_state(Movie.objects.all(), request.user).get(pk=movie.pk)
        return render(
            request,
            "ratings/_movie_actions.html",
            {"movie": movie, "status_message": message, "compact": request.POST.get("compact")},
            status=status,
        )
    if status == 200:
        messages.success(request, message)
    else:
        messages.error(request, message)
    return redirect(_back(request, movie))


@member_action
def rate(request, movie):
    """Set a rating (``value``: 0.5–5 in half steps) or remove it (``remove=1``).

    Removing is only ever asked for by name: a form sent without stars changes nothing.
    """
    if request.POST.get("remove") == "1":
        return _respond(request, movie, actions.unrate_movie(request.user, movie))
    raw_value = request.POST.get("value", "").strip()
    if not raw_value:
        return _respond(
            request,
            movie,
            "Choose a number of stars to save a rating; “Remove rating” takes it away.",
            status=400,
        )
    value = actions.parse_stars(raw_value)
    if value is None:
        return _respond(request, movie, "A rating is 0.5 to 5 stars in half steps.", status=400)
    return _respond(request, movie, actions.rate_movie(request.user, movie, value))


@member_action
def set_list(request, movie, kind):
    """Put the film on a list (``on=1``) or take it off (``on=0``); repeating is harmless."""
    if kind not in ListEntry.Kind.values:
        return HttpResponseBadRequest("Unknown list.")
    on = request.POST.get("on") == "1"
    return _respond(request, movie, actions.set_on_list(request.user, movie, kind, on))


@login_required
def my_ratings(request):
    sort = request.GET.get("sort") if request.GET.get("sort") in RATING_SORTS else "recent"
    ratings = Rating.objects.for_user(request.user).of_visible_movies()
    stars = request.GET.get("stars")
    try:
        stars = float(stars) if stars else None
    except ValueError:
        stars = None
    if stars in HALF_STARS:
        ratings = ratings.filter(value=stars)
    else:
        stars = None
    ratings = ratings.order_by(*RATING_SORTS[sort][1])
    page = Paginator(ratings, PAGE_SIZE).get_page(request.GET.get("page"))
    movies = _movies_in_order(request.user, [rating.movie_id for rating in page.object_list])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "ratings/my_ratings.html",
        {
            "page": page,
            "movies": movies,
            "sort": sort,
            "sorts": [(key, label) for key, (label, _) in RATING_SORTS.items()],
            "stars": stars,
            "star_choices": list(reversed(HALF_STARS)),
            "query_string": query.urlencode(),
            "total": Rating.objects.for_user(request.user).of_visible_movies().count(),
        },
    )


LIST_PAGES = {
    "favorites": ListEntry.Kind.FAVORITE,
    "watchlist": ListEntry.Kind.WATCHLIST,
    "not-interested": ListEntry.Kind.NOT_INTERESTED,
}
EMPTY_LISTS = {
    ListEntry.Kind.FAVORITE: "Press “Favorite” on any film to keep it here.",
    ListEntry.Kind.WATCHLIST: "Press “Watchlist” on a film you want to see.",
    ListEntry.Kind.NOT_INTERESTED: "Films you hide from suggestions appear here, "
    "so you can bring them back.",
}


@login_required
def movie_list(request, slug):
    kind = LIST_PAGES.get(slug)
    if kind is None:
        return redirect("ratings:my_ratings")
    entries = (
        ListEntry.objects.for_user(request.user)
        .of_visible_movies()
        .filter(kind=kind)
        .order_by("-created_at")
    )
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    movies = _movies_in_order(request.user, [entry.movie_id for entry in page.object_list])
    return render(
        request,
        "ratings/movie_list.html",
        {
            "page": page,
            "movies": movies,
            "kind": kind,
            "title": ListEntry.Kind(kind).label,
            "empty_message": EMPTY_LISTS[kind],
            "query_string": "",
        },
    )


def _movies_in_order(user, movie_ids):
    """The page's films with card data and ``user``'s state, in the given order."""
    movies = with_member_state(Movie.objects.visible().with_card_data(), user).in_bulk(movie_ids)
    return [movies[movie_id] for movie_id in movie_ids if movie_id in movies]


@login_required
def onboarding(request):
    """Rate a first handful of films: well-known ones across genres, a genre's, or found."""
    query = request.GET.get("q", "").strip()
    genre_slug = request.GET.get("genre", "")
    genre = Genre.objects.filter(slug=genre_slug).first() if genre_slug and not query else None
    try:
        page = min(max(int(request.GET.get("page", 1)), 1), onboarding_films.MAX_PAGE)
    except ValueError:
        page = 1
    ids, has_more = onboarding_films.films_to_rate(
        request.user, genre=genre, query=query, page=page
    )
    movies = _movies_in_order(request.user, ids)
    more_query = {"page": page + 1}
    if query:
        more_query["q"] = query
    elif genre:
        more_query["genre"] = genre.slug
    context = {
        "movies": movies,
        "query": query,
        "genre": genre,
        "more_url": f"?{urlencode(more_query)}" if has_more else "",
    }
    if _is_fetch(request):
        return render(request, "ratings/_onboarding_films.html", context)
    rated_count = Rating.objects.for_user(request.user).of_visible_movies().count()
    next_url = safe_next_url(request, request.GET.get("next"))
    return render(
        request,
        "ratings/onboarding.html",
        {
            **context,
            "genres": onboarding_films.genre_choices(),
            "rated_count": rated_count,
            "rated_elsewhere": rated_count - sum(1 for movie in movies if movie.user_rating),
            "target": onboarding_films.TARGET,
            "back_url": next_url if next_url != reverse("recommender:for_you") else "",
        },
    )
