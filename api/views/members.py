"""The member's own data: who they are, their ratings, favorites, watchlist, hidden films.

Every query filters by ``request.user``: one member's data never reaches another.
Writes go through ``ratings.actions``, the same rules as the site's buttons.
"""

from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response

from api import films
from api.serializers import (
    ListEntrySerializer,
    MeSerializer,
    RatingSerializer,
    RatingWriteSerializer,
)
from api.views.base import ApiView
from catalog.models import Movie
from ratings import actions
from ratings.models import ListEntry, Rating

RATING_SORTS = {
    "recent": ["-updated_at", "-id"],
    "highest": ["-value", "-updated_at", "-id"],
    "lowest": ["value", "-updated_at", "-id"],
    "title": ["movie__title", "movie__year", "id"],
}


def visible_film_or_404(pk):
    movie = Movie.objects.visible().filter(pk=pk).first()
    if movie is None:
        raise exceptions.NotFound(f"There is no film with id {pk}.")
    return movie


def with_films(user, rows):
    """Give each rating or list entry its film, with card data and ``user``'s state."""
    movies = {movie.pk: movie for movie in films.films_in_order(user, [r.movie_id for r in rows])}
    kept = [row for row in rows if row.movie_id in movies]
    for row in kept:
        row.movie = movies[row.movie_id]
    return kept


class MeView(ApiView):
    pagination_class = None

    @extend_schema(
        summary="Who the token or session belongs to",
        responses=MeSerializer,
        tags=["me"],
    )
    def get(self, request):
        user = request.user
        ratings = Rating.objects.for_user(user).of_visible_movies()
        entries = ListEntry.objects.for_user(user).of_visible_movies()
        return Response(
            {
                "username": user.get_username(),
                "ratings": ratings.count(),
                "favorites": entries.filter(kind=ListEntry.Kind.FAVORITE).count(),
                "watchlist": entries.filter(kind=ListEntry.Kind.WATCHLIST).count(),
                "not_interested": entries.filter(kind=ListEntry.Kind.NOT_INTERESTED).count(),
            }
        )


class MyRatingListView(ApiView):
    serializer_class = RatingSerializer

    @extend_schema(
        summary="My ratings",
        parameters=[
            OpenApiParameter("sort", str, enum=list(RATING_SORTS), description="Default recent."),
            OpenApiParameter("stars", float, description="Only ratings of this many stars."),
        ],
        responses=RatingSerializer(many=True),
        tags=["ratings"],
    )
    def get(self, request):
        sort = request.query_params.get("sort") or "recent"
        if sort not in RATING_SORTS:
            choices = ", ".join(RATING_SORTS)
            raise exceptions.ValidationError({"sort": [f"Sort by one of {choices}."]})
        ratings = Rating.objects.for_user(request.user).of_visible_movies()
        if "stars" in request.query_params:
            stars = actions.parse_stars(request.query_params["stars"])
            if stars is None:
                raise exceptions.ValidationError({"stars": ["0.5 to 5 stars in half steps."]})
            ratings = ratings.filter(value=stars)
        page = self.paginate_queryset(ratings.order_by(*RATING_SORTS[sort]))
        data = self.get_serializer(with_films(request.user, page), many=True).data
        return self.get_paginated_response(data)


class MyRatingView(ApiView):
    serializer_class = RatingSerializer

    def _rating(self, request, movie):
        rating = Rating.objects.filter(user=request.user, movie=movie).first()
        if rating is not None:
            [rating] = with_films(request.user, [rating])
        return rating

    @extend_schema(summary="My rating of a film", tags=["ratings"])
    def get(self, request, film_id):
        rating = self._rating(request, visible_film_or_404(film_id))
        if rating is None:
            raise exceptions.NotFound(f"You have not rated film {film_id}.")
        return Response(self.get_serializer(rating).data)

    @extend_schema(
        summary="Rate a film",
        description="Sets or changes your rating; a film you rate leaves your watchlist. "
        "Recommendations take it into account at once.",
        request=RatingWriteSerializer,
        responses={200: RatingSerializer, 201: RatingSerializer},
        tags=["ratings"],
    )
    def put(self, request, film_id):
        movie = visible_film_or_404(film_id)
        write = RatingWriteSerializer(data=request.data)
        write.is_valid(raise_exception=True)
        existed = Rating.objects.filter(user=request.user, movie=movie).exists()
        actions.rate_movie(request.user, movie, write.validated_data["rating"])
        return Response(
            self.get_serializer(self._rating(request, movie)).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    @extend_schema(
        summary="Remove my rating of a film",
        responses={204: OpenApiResponse(description="Removed (or there was none).")},
        tags=["ratings"],
    )
    def delete(self, request, film_id):
        actions.unrate_movie(request.user, visible_film_or_404(film_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


LISTS = {
    ListEntry.Kind.FAVORITE: "favorites",
    ListEntry.Kind.WATCHLIST: "watchlist",
    ListEntry.Kind.NOT_INTERESTED: "films you are not interested in (never recommended)",
}


class MyListView(ApiView):
    """One of the member's built-in lists: favorites, watchlist, not interested."""

    serializer_class = ListEntrySerializer
    kind = None

    def get(self, request):
        entries = (
            ListEntry.objects.for_user(request.user)
            .of_visible_movies()
            .filter(kind=self.kind)
            .order_by("-created_at", "-id")
        )
        page = self.paginate_queryset(entries)
        data = self.get_serializer(with_films(request.user, page), many=True).data
        return self.get_paginated_response(data)


class MyListEntryView(ApiView):
    serializer_class = ListEntrySerializer
    kind = None

    def _entry(self, request, movie):
        entry = ListEntry.objects.filter(user=request.user, movie=movie, kind=self.kind).first()
        if entry is not None:
            [entry] = with_films(request.user, [entry])
        return entry

    def get(self, request, film_id):
        entry = self._entry(request, visible_film_or_404(film_id))
        if entry is None:
            raise exceptions.NotFound(f"Film {film_id} is not on this list.")
        return Response(self.get_serializer(entry).data)

    def put(self, request, film_id):
        movie = visible_film_or_404(film_id)
        existed = self._entry(request, movie) is not None
        actions.set_on_list(request.user, movie, self.kind, True)
        return Response(
            self.get_serializer(self._entry(request, movie)).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    def delete(self, request, film_id):
        actions.set_on_list(request.user, visible_film_or_404(film_id), self.kind, False)
        return Response(status=status.HTTP_204_NO_CONTENT)


def list_views(kind):
    """The list and entry views of list ``kind``, each documented under its own name."""
    what = LISTS[kind]
    tag = ListEntry.Kind(kind).label.lower()

    @extend_schema(summary=f"My {what}", responses=ListEntrySerializer(many=True), tags=[tag])
    def get_list(self, request):
        return MyListView.get(self, request)

    @extend_schema(summary=f"Is a film on my {what}?", tags=[tag])
    def get_entry(self, request, film_id):
        return MyListEntryView.get(self, request, film_id)

    @extend_schema(
        summary=f"Add a film to my {what}",
        request=None,
        responses={200: ListEntrySerializer, 201: ListEntrySerializer},
        tags=[tag],
    )
    def put_entry(self, request, film_id):
        return MyListEntryView.put(self, request, film_id)

    @extend_schema(
        summary=f"Take a film off my {what}",
        responses={204: OpenApiResponse(description="Off the list (or it was not on it).")},
        tags=[tag],
    )
    def delete_entry(self, request, film_id):
        return MyListEntryView.delete(self, request, film_id)

    name = ListEntry.Kind(kind).name.title().replace("_", "")
    list_class = type(f"My{name}ListView", (MyListView,), {"kind": kind, "get": get_list})
    entry_class = type(
        f"My{name}EntryView",
        (MyListEntryView,),
        {"kind": kind, "get": get_entry, "put": put_entry, "delete": delete_entry},
    )
    return list_class.as_view(), entry_class.as_view()
