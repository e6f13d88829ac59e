"""The "For you" page and the card that replaces a hidden one."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from catalog.page_cache import cache_for_members
from catalog.text import parse_whole_number
from ratings.models import Rating
from recommender.forms import RecommendationFilterForm
from recommender.serving import model_cache, recommend_for

FOR_YOU_SIZE = 50


@login_required
@cache_for_members
def for_you(request):
    form = RecommendationFilterForm(request.GET or None)
    filters = form.to_filters()
    recommendations = recommend_for(request.user, n=FOR_YOU_SIZE, filters=filters)
    return render(
        request,
        "recommender/for_you.html",
        {
            "form": form,
            "recommendations": recommendations,
            "rated_count": Rating.objects.for_user(request.user).of_visible_movies().count(),
            "has_model": model_cache.get() is not None,
            "query_string": request.GET.urlencode(),
            "chosen_genre_ids": set(filters.genres),
        },
    )


@login_required
def next_recommendation(request):
    """One more card for the page, skipping the films already on it (``shown`` ids)."""
    filters = RecommendationFilterForm(request.GET or None).to_filters()
    shown = {parse_whole_number(pk) for pk in request.GET.getlist("shown")} - {None}
    recommendations = recommend_for(request.user, n=FOR_YOU_SIZE + len(shown) + 1, filters=filters)
    fresh = next((r for r in recommendations if r.movie.pk not in shown), None)
    return render(
        request,
        "recommender/_recommendation_card.html",
        {"recommendation": fresh, "chosen_genre_ids": set(filters.genres)},
    )
