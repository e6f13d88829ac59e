"""The member's diary: watches on a day, with or without a rating; rewatches are new entries.

Changes go through ``ratings.diary`` and values are checked by the diary's own
form, so the API and the pages follow the same rules.
"""

from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response

from api.serializers import DiaryEntrySerializer, DiaryEntryWriteSerializer
from api.views.base import ApiView
from api.views.catalog import form_errors
from api.views.members import visible_film_or_404, with_films
from ratings import diary
from ratings.forms import DiaryEntryForm
from ratings.models import DiaryEntry

FIELDS = ("watched_on", "rating", "rewatch", "note")


def checked_watch(data, instance=None):
    """``data`` (JSON values) checked by the diary's form; its cleaned values."""
    rating = data.get("rating")
    form = DiaryEntryForm(
        {
            "watched_on": data.get("watched_on") or timezone.localdate(),
            # The form's choices read "4.5", "4": as the pages send them.
            "rating": "" if rating is None else f"{rating:g}",
            "rewatch": bool(data.get("rewatch")),
            "note": data.get("note") or "",
        },
        instance=instance,
    )
    if not form.is_valid():
        raise form_errors(form)
    return {field: form.cleaned_data[field] for field in FIELDS}


class DiaryView(ApiView):
    serializer_class = DiaryEntrySerializer

    @extend_schema(
        summary="My diary",
        description="Watches, the latest first.",
        parameters=[
            OpenApiParameter("film", int, description="Only watches of this film."),
            OpenApiParameter("since", str, description="From this day (YYYY-MM-DD) on."),
            OpenApiParameter("until", str, description="Up to this day (YYYY-MM-DD)."),
        ],
        responses=DiaryEntrySerializer(many=True),
        tags=["diary"],
    )
    def get(self, request):
        entries = DiaryEntry.objects.for_user(request.user).of_visible_movies()
        try:
            if "film" in request.query_params:
                entries = entries.filter(movie_id=int(request.query_params["film"]))
        except ValueError:
            raise exceptions.ValidationError({"film": ["A film id: a whole number."]})
        for name, lookup in (("since", "watched_on__gte"), ("until", "watched_on__lte")):
            if name in request.query_params:
                try:
                    day = serializers.DateField().to_internal_value(request.query_params[name])
                except serializers.ValidationError as error:
                    raise exceptions.ValidationError({name: error.detail})
                entries = entries.filter(**{lookup: day})
        page = self.paginate_queryset(entries.order_by("-watched_on", "-created_at", "-id"))
        data = self.get_serializer(with_films(request.user, page), many=True).data
        return self.get_paginated_response(data)

    @extend_schema(
        summary="Log a watch",
        description="A film watched on a day (today by default), with or without a rating. "
        "A rating given here becomes your rating of the film unless you rated it after "
        "that day. A second watch counts as a rewatch; the film leaves your watchlist "
        "and your recommendations.",
        request=DiaryEntryWriteSerializer,
        responses={201: DiaryEntrySerializer},
        tags=["diary"],
    )
    def post(self, request):
        write = DiaryEntryWriteSerializer(data=request.data)
        write.is_valid(raise_exception=True)
        movie = visible_film_or_404(write.validated_data["film"])
        values = checked_watch(write.validated_data)
        entry = diary.log_watch(request.user, movie, **values)
        [entry] = with_films(request.user, [entry])
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)


class DiaryEntryView(ApiView):
    serializer_class = DiaryEntrySerializer

    def _entry(self, request, pk):
        entry = DiaryEntry.objects.for_user(request.user).of_visible_movies().filter(pk=pk).first()
        if entry is None:
            raise exceptions.NotFound(f"There is no entry {pk} in your diary.")
        return entry

    @extend_schema(summary="A watch in my diary", tags=["diary"])
    def get(self, request, pk):
        [entry] = with_films(request.user, [self._entry(request, pk)])
        return Response(self.get_serializer(entry).data)

    @extend_schema(
        summary="Change a watch",
        description="Send the fields to change; the others stay as they are.",
        request=DiaryEntryWriteSerializer(partial=True),
        tags=["diary"],
    )
    def patch(self, request, pk):
        entry = self._entry(request, pk)
        write = DiaryEntryWriteSerializer(data=request.data, partial=True)
        write.is_valid(raise_exception=True)
        if "film" in write.validated_data:
            raise exceptions.ValidationError(
                {"film": ["A watch keeps its film: delete it and log the other film."]}
            )
        current = {field: getattr(entry, field) for field in FIELDS}
        values = checked_watch({**current, **write.validated_data}, instance=entry)
        diary.update_entry(entry, **values)
        [entry] = with_films(request.user, [entry])
        return Response(self.get_serializer(entry).data)

    @extend_schema(
        summary="Delete a watch",
        description="The film's rating stays.",
        responses={204: OpenApiResponse(description="Deleted.")},
        tags=["diary"],
    )
    def delete(self, request, pk):
        if not diary.delete_entry(request.user, self._entry(request, pk).pk):
            raise exceptions.NotFound(f"There is no entry {pk} in your diary.")
        return Response(status=status.HTTP_204_NO_CONTENT)
