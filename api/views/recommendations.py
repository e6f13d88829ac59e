"""Recommendations for the member, with the "For you" page's filters."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import exceptions
from rest_framework.response import Response

from api.serializers import RecommendationSerializer
from api.views.base import ApiView
from api.views.catalog import FILTER_PARAMETERS, form_errors
from recommender.forms import POPULARITY_CHOICES, RecommendationFilterForm
from recommender.serving import recommend_for

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
TRUE, FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off", ""}


def _limit(params):
    raw = params.get("limit", str(DEFAULT_LIMIT))
    try:
        limit = int(raw)
    except ValueError:
        limit = 0
    if not 1 <= limit <= MAX_LIMIT:
        raise exceptions.ValidationError({"limit": [f"A whole number from 1 to {MAX_LIMIT}."]})
    return limit


def _form_data(params):
    """The query as the For you form reads it; ``watchlist=false`` means off, not on."""
    data = params.copy()
    data.pop("limit", None)
    if "watchlist" in data:
        value = data["watchlist"].strip().lower()
        if value not in TRUE | FALSE:
            raise exceptions.ValidationError({"watchlist": ["true or false."]})
        data.pop("watchlist")
        if value in TRUE:
            data["watchlist"] = "on"
    return data


class RecommendationsView(ApiView):
    serializer_class = RecommendationSerializer
    pagination_class = None

    @extend_schema(
        summary="My recommendations",
        description="The films we think you will like, best first, each with the rating "
        "we think you would give it and the rating of yours that explains it. Computed "
        "from your current ratings on every request: rate a film and ask again. Never "
        "films you rated, hid or (unless `watchlist=true`) have on your watchlist. The "
        "filters are those of the For you page.",
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter("without", str, many=True, description="Genre slug to leave out."),
            OpenApiParameter(
                "popularity",
                int,
                enum=[int(value) for value, _ in POPULARITY_CHOICES],
                description="-2 hidden gems … 0 balanced (default) … 2 crowd pleasers.",
            ),
            OpenApiParameter("watchlist", bool, description="Include my watchlist."),
            OpenApiParameter("sort", str, enum=["predicted"], description="By predicted rating."),
            OpenApiParameter(
                "limit", int, description=f"How many, 1–{MAX_LIMIT} (default {DEFAULT_LIMIT})."
            ),
        ],
        responses=inline_serializer(
            "Recommendations", {"results": RecommendationSerializer(many=True)}
        ),
        tags=["recommendations"],
    )
    def get(self, request):
        limit = _limit(request.query_params)
        form = RecommendationFilterForm(_form_data(request.query_params))
        if not form.is_valid():
            raise form_errors(form)
        recommendations = recommend_for(request.user, n=limit, filters=form.to_filters())
        return Response({"results": self.get_serializer(recommendations, many=True).data})
