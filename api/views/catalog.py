"""Films and people: search, browse, detail, "more like this" (open to visitors)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse

from api import films
from api.serializers import (
    FilmDetailSerializer,
    FilmSerializer,
    PersonDetailSerializer,
    PersonMatchSerializer,
)
from api.views.base import ApiView
from catalog.forms import SORTS, BrowseForm, SearchForm
from catalog.models import Person
from catalog.search import search_movies
from recommender.serving import predicted_rating

SEARCH_RESULTS = 100


def form_errors(form):
    """A form's errors as the API's invalid-input error."""
    return exceptions.ValidationError(
        {field: list(messages) for field, messages in form.errors.items()}
    )


def film_or_404(user, pk):
    movie = films.film_detail(user, pk)
    if movie is None:
        raise exceptions.NotFound(f"There is no film with id {pk}.")
    return movie


FILTER_PARAMETERS = [
    OpenApiParameter(
        "genre", str, many=True, description="Genre slug (repeat for several), e.g. `comedy`."
    ),
    OpenApiParameter(
        "genre_match", str, enum=["any", "all"], description="Films with any (default) or all."
    ),
    OpenApiParameter("decade", int, description="e.g. 1990; wins over year_from/year_to."),
    OpenApiParameter("year_from", int),
    OpenApiParameter("year_to", int),
    OpenApiParameter("min_ratings", int, description="At least this many ratings."),
]


class FilmListView(ApiView):
    permission_classes = [AllowAny]
    serializer_class = FilmSerializer

    @extend_schema(
        summary="Search or browse films",
        description="With `q`, films whose title matches, best first (case- and "
        "accent-insensitive, partial words, typos, a trailing year narrows: "
        "`heat 1995`); at most 100. Without `q`, every film, ordered by `sort`. "
        "The filters narrow both.",
        parameters=[
            OpenApiParameter("q", str, description="Words of the title."),
            *FILTER_PARAMETERS,
            OpenApiParameter("sort", str, enum=list(SORTS), description="Without `q` only."),
        ],
        responses=FilmSerializer(many=True),
        tags=["films"],
    )
    def get(self, request):
        search = SearchForm(request.query_params)
        browse = BrowseForm(request.query_params)
        if not search.is_valid():
            raise form_errors(search)
        if not browse.is_valid():
            raise form_errors(browse)
        queryset = browse.filter(films.films(request.user))
        query = search.cleaned_data["q"].strip()
        if query:
            queryset = search_movies(query, limit=SEARCH_RESULTS, queryset=queryset)
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class FilmDetailView(ApiView):
    permission_classes = [AllowAny]
    serializer_class = FilmDetailSerializer

    @extend_schema(summary="A film", tags=["films"])
    def get(self, request, pk):
        movie = film_or_404(request.user, pk)
        prediction = None
        if request.user.is_authenticated and movie.user_rating is None:
            prediction = predicted_rating(request.user, movie)
        context = {**self.get_serializer_context(), "predicted_rating": prediction}
        return Response(FilmDetailSerializer(movie, context=context).data)


class SimilarFilmsView(ApiView):
    permission_classes = [AllowAny]
    serializer_class = FilmSerializer
    pagination_class = None

    @extend_schema(
        summary="More like this",
        description="Up to 12 films liked by the same people (for films the model "
        "cannot place yet, films alike in genres, people and decade), as on the film page.",
        responses=inline_serializer("SimilarFilms", {"results": FilmSerializer(many=True)}),
        tags=["films"],
    )
    def get(self, request, pk):
        movie = film_or_404(request.user, pk)
        similar = films.similar_films(request.user, movie)
        return Response({"results": self.get_serializer(similar, many=True).data})


class PersonListView(ApiView):
    permission_classes = [AllowAny]
    serializer_class = PersonMatchSerializer

    @extend_schema(
        summary="Search people",
        description="Directors, cast and crew whose name matches `q` as the site's search "
        "does (accents, word order and a typo or two forgiven), best match first, then the "
        "best known; up to 100.",
        parameters=[
            OpenApiParameter("q", str, required=True, description="A name, or part of one.")
        ],
        responses=PersonMatchSerializer(many=True),
        tags=["people"],
    )
    def get(self, request):
        form = SearchForm(request.query_params)
        if not form.is_valid():
            raise form_errors(form)
        query = form.cleaned_data["q"].strip()
        if not query:
            raise exceptions.ValidationError({"q": ["Type part of a name to search for."]})
        page = self.paginate_queryset(films.search_people(query))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class PersonDetailView(ApiView):
    permission_classes = [AllowAny]
    serializer_class = PersonDetailSerializer
    pagination_class = None

    @extend_schema(summary="A person and their films", tags=["people"])
    def get(self, request, pk):
        person = Person.objects.filter(pk=pk).first()
        if person is None:
            raise exceptions.NotFound(f"There is no person with id {pk}.")
        person.films = films.person_films(request.user, person)
        return Response(self.get_serializer(person).data)


class IndexView(ApiView):
    permission_classes = [AllowAny]
    pagination_class = None

    @extend_schema(
        summary="Where things are",
        responses={200: OpenApiTypes.OBJECT},
        tags=["api"],
    )
    def get(self, request):
        def url(name):
            return reverse(f"api:{name}", request=request)

        return Response(
            {
                "docs": url("docs"),
                "schema": url("schema"),
                "films": url("search_films"),
                "people": url("search_people"),
                "me": url("me"),
                "diary": url("diary"),
                "lists": url("my_lists"),
                "recommendations": url("recommendations"),
            }
        )
