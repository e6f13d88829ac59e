"""Members' own lists: ordered, titled, public or private.

A public list reads for anyone, a private one for its owner only (404 for
everyone else, as on the site); only the owner changes a list. Changes go
through ``lists.services``, which keeps positions 1, 2, 3… without gaps.
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response

from api.serializers import (
    FilmListSerializer,
    FilmListWriteSerializer,
    ListItemSerializer,
    ListItemWriteSerializer,
    ListOrderSerializer,
)
from api.views.base import ApiView
from api.views.catalog import form_errors
from api.views.members import visible_film_or_404, with_films
from lists import services
from lists.forms import FilmListForm
from lists.models import FilmList, ListItem


def readable_list(request, pk):
    film_list = (
        FilmList.objects.readable_by(request.user)
        .with_item_counts()
        .select_related("owner")
        .filter(pk=pk)
        .first()
    )
    if film_list is None:
        raise exceptions.NotFound(f"There is no list {pk} you can read.")
    return film_list


def own_list(request, pk):
    """The member's own list: 404 if nobody may read it, 403 if it is someone else's."""
    film_list = readable_list(request, pk)
    if not request.user.is_authenticated:
        raise exceptions.NotAuthenticated()
    if film_list.owner_id != request.user.pk:
        raise exceptions.PermissionDenied("Only the list's owner can change it.")
    return film_list


def checked_list(data, instance=None):
    """Title, description and public checked by the lists' own form."""
    form = FilmListForm(
        {
            "title": data.get("title", getattr(instance, "title", "")),
            "description": data.get("description", getattr(instance, "description", "")),
            "is_public": data.get("public", getattr(instance, "is_public", False)),
        },
        instance=instance,
    )
    if not form.is_valid():
        errors = form_errors(form)
        if "is_public" in errors.detail:
            errors.detail["public"] = errors.detail.pop("is_public")
        raise errors
    return form


def list_items(request, film_list):
    items = list(
        ListItem.objects.filter(film_list=film_list, movie__is_hidden=False).order_by(
            "position", "id"
        )
    )
    return with_films(request.user, items)


class MyListsView(ApiView):
    serializer_class = FilmListSerializer

    @extend_schema(
        summary="My lists",
        description="Public and private, the last changed first.",
        responses=FilmListSerializer(many=True),
        tags=["lists"],
    )
    def get(self, request):
        lists = FilmList.objects.owned_by(request.user).with_item_counts().select_related("owner")
        page = self.paginate_queryset(lists.order_by("-updated_at", "-id"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Make a list",
        request=FilmListWriteSerializer,
        responses={201: FilmListSerializer},
        tags=["lists"],
    )
    def post(self, request):
        write = FilmListWriteSerializer(data=request.data)
        write.is_valid(raise_exception=True)
        data = checked_list(write.validated_data).cleaned_data
        film_list = services.create_list(
            request.user, data["title"], data["description"], data["is_public"]
        )
        film_list = readable_list(request, film_list.pk)
        return Response(self.get_serializer(film_list).data, status=status.HTTP_201_CREATED)


class ListView(ApiView):
    serializer_class = FilmListSerializer
    permission_classes = [AllowAny]

    @extend_schema(summary="A list", tags=["lists"])
    def get(self, request, pk):
        return Response(self.get_serializer(readable_list(request, pk)).data)

    @extend_schema(
        summary="Change a list's title, description or visibility",
        request=FilmListWriteSerializer,
        tags=["lists"],
    )
    def patch(self, request, pk):
        film_list = own_list(request, pk)
        write = FilmListWriteSerializer(data=request.data, partial=True)
        write.is_valid(raise_exception=True)
        checked_list(write.validated_data, instance=film_list).save()
        return Response(self.get_serializer(readable_list(request, pk)).data)

    @extend_schema(
        summary="Delete a list",
        responses={204: OpenApiResponse(description="Deleted, with its items.")},
        tags=["lists"],
    )
    def delete(self, request, pk):
        own_list(request, pk).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListFilmsView(ApiView):
    serializer_class = ListItemSerializer
    permission_classes = [AllowAny]

    @extend_schema(
        summary="A list's films, in order",
        responses=ListItemSerializer(many=True),
        tags=["lists"],
    )
    def get(self, request, pk):
        film_list = readable_list(request, pk)
        page = self.paginate_queryset(list_items(request, film_list))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ListFilmView(ApiView):
    serializer_class = ListItemSerializer
    permission_classes = [AllowAny]

    def _item(self, request, film_list, film_id):
        item = ListItem.objects.filter(film_list=film_list, movie_id=film_id).first()
        if item is None:
            raise exceptions.NotFound(f"Film {film_id} is not on list {film_list.pk}.")
        [item] = with_films(request.user, [item]) or [None]
        if item is None:  # on the list, but staff hid the film
            raise exceptions.NotFound(f"There is no film with id {film_id}.")
        return item

    @extend_schema(summary="A film's place on a list", tags=["lists"])
    def get(self, request, pk, film_id):
        item = self._item(request, readable_list(request, pk), film_id)
        return Response(self.get_serializer(item).data)

    @extend_schema(
        summary="Add a film to a list, or move it",
        description="A film not on the list goes to the end (with `note`); `position` "
        "moves it to that place.",
        request=ListItemWriteSerializer,
        responses={200: ListItemSerializer, 201: ListItemSerializer},
        tags=["lists"],
    )
    def put(self, request, pk, film_id):
        film_list = own_list(request, pk)
        movie = visible_film_or_404(film_id)
        write = ListItemWriteSerializer(data=request.data)
        write.is_valid(raise_exception=True)
        try:
            item, created = services.add_to_list(
                film_list, movie, write.validated_data.get("note", "")
            )
        except services.ListFull as error:
            raise exceptions.ValidationError({"film": [str(error)]})
        if "position" in write.validated_data:
            services.move_item(film_list, item.pk, write.validated_data["position"] - item.position)
        item = self._item(request, film_list, film_id)
        return Response(
            self.get_serializer(item).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary="Take a film off a list",
        responses={204: OpenApiResponse(description="Off the list; the others move up.")},
        tags=["lists"],
    )
    def delete(self, request, pk, film_id):
        film_list = own_list(request, pk)
        item = ListItem.objects.filter(film_list=film_list, movie_id=film_id).first()
        if item is None or not services.remove_from_list(film_list, item.pk):
            raise exceptions.NotFound(f"Film {film_id} is not on list {pk}.")
        return Response(status=status.HTTP_204_NO_CONTENT)


class ListOrderView(ApiView):
    serializer_class = ListItemSerializer
    pagination_class = None

    @extend_schema(
        summary="Put a list in a new order",
        description="Name every film of the list once; an order that misses or repeats "
        "one (a list changed meanwhile) changes nothing.",
        request=ListOrderSerializer,
        responses=ListItemSerializer(many=True),
        tags=["lists"],
    )
    def put(self, request, pk):
        film_list = own_list(request, pk)
        write = ListOrderSerializer(data=request.data)
        write.is_valid(raise_exception=True)
        item_of_film = dict(
            ListItem.objects.filter(film_list=film_list).values_list("movie_id", "id")
        )
        films = write.validated_data["films"]
        try:
            if any(film not in item_of_film for film in films):
                raise ValueError
            services.reorder(film_list, [item_of_film[film] for film in films])
        except ValueError:
            raise exceptions.ValidationError(
                {"films": ["Name every film of the list once, and no other."]}
            )
        return Response(self.get_serializer(list_items(request, film_list), many=True).data)
