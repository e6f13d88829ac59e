"""What the recommender adds to the catalog's pages (registered in ``catalog.extensions``).

Discover gets a member's first recommendations; the film page gets "more like
this", the rating the member would likely give and the ratings that speak most
for it; a person's page and the pages of a tag or keyword get their films in
the member's order, with predicted ratings. Computed here, in the
view's time, and handed to the templates as plain context.
"""

from catalog.models import Movie
from ratings.member_state import discoverable_by, with_member_state
from recommender import content
from recommender.serving import (
    film_predictions,
    movie_ids_similar_to,
    rank_movies_for,
    recommend_for,
)

FOR_YOU_ROW = 12
MORE_LIKE_THIS = 12


def home_extras(request):
    """The "For you" row of Discover, for members."""
    if not request.user.is_authenticated:
        return {}
    return {"for_you": recommend_for(request.user, n=FOR_YOU_ROW)}


def movie_detail_extras(request, movie):
    """Films liked together with ``movie`` (by content when the model cannot place it)."""
    user = request.user
    movie_ids = movie_ids_similar_to(movie, n=MORE_LIKE_THIS) or content.similar_movie_ids(
        movie, n=MORE_LIKE_THIS
    )
    films = with_member_state(discoverable_by(Movie.objects.all(), user).with_card_data(), user)
    found = films.in_bulk(movie_ids)
    similar = [found[pk] for pk in movie_ids if pk in found][:MORE_LIKE_THIS]
    extras = {"more_like_this": similar, "predicted_rating": None, "contributors": []}
    predicted = {}
    if user.is_authenticated:
        # One fold-in: the film's own prediction and why, and each similar film's.
        prediction, contributors, predicted = film_predictions(
            user, movie, [film.pk for film in similar], n=3 if movie.user_rating is None else 0
        )
        if movie.user_rating is None:
            extras["predicted_rating"], extras["contributors"] = prediction, contributors
    for film in similar:
        film.predicted_rating = predicted.get(film.pk)
    return extras


def member_order_extras(request, movie_ids, **_objects):
    """``movie_ids`` the member has not rated, best for them first, and their predictions."""
    ranking = rank_movies_for(request.user, movie_ids)
    if ranking is None:
        return {}
    return {"member_order": ranking.movie_ids, "predicted_ratings": ranking.predicted_ratings}
