"""Film-page pieces from the recommender: "more like this" and a predicted rating."""

from django import template

from catalog.models import Movie
from recommender import content
from recommender.serving import (
    movie_ids_similar_to,
    predicted_rating,
    recommend_for,
    why_recommended,
)

register = template.Library()
MORE_LIKE_THIS = 12


@register.inclusion_tag("recommender/_more_like_this.html", takes_context=True)
def more_like_this(context, movie):
    """Films liked together with ``movie``; by content when the model does not know it."""
    request = context["request"]
    movie_ids = movie_ids_similar_to(movie, n=MORE_LIKE_THIS) or content.similar_movie_ids(
        movie, n=MORE_LIKE_THIS
    )
    movies = (
        Movie.objects.discoverable_by(request.user)
        .with_card_data()
        .with_user_state(request.user)
        .in_bulk(movie_ids)
    )
    ordered = [movies[movie_id] for movie_id in movie_ids if movie_id in movies]
    return {
        "movies": ordered[:MORE_LIKE_THIS],
        "movie": movie,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "user": request.user,
    }


@register.simple_tag(takes_context=True)
def your_predicted_rating(context, movie):
    return predicted_rating(context["request"].user, movie)


@register.simple_tag(takes_context=True)
def your_top_contributors(context, movie):
    """The member's three ratings that speak most for ``movie`` (the "why" detail)."""
    return why_recommended(context["request"].user, movie)


@register.inclusion_tag("recommender/_for_you_row.html", takes_context=True)
def for_you_row(context, size=12):
    """The first recommendations of a signed-in member, for the home page."""
    request = context["request"]
    recommendations = recommend_for(request.user, n=size) if request.user.is_authenticated else []
    return {
        "recommendations": recommendations,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "user": request.user,
    }
