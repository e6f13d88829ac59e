"""Films and people for the API, with the member's state, fetched in a few queries."""

from django.db.models import Prefetch

from catalog import search
from catalog.models import Credit, Movie
from ratings.member_state import with_member_state
from recommender import content
from recommender.serving import movie_ids_similar_to

SIMILAR_FILMS = 12
PERSON_FILMS = 100
# People a search returns at most (the site's search page shows 20).
PEOPLE_FOUND = 100


def films(user):
    """Visible films with card data and ``user``'s rating and lists."""
    return with_member_state(Movie.objects.visible().with_card_data(), user)


def films_in_order(user, movie_ids):
    """The visible films of ``movie_ids``, in that order, with ``user``'s state."""
    found = films(user).in_bulk(movie_ids)
    return [found[pk] for pk in movie_ids if pk in found]


def film_detail(user, pk):
    """One visible film with its credits (people joined), or None."""
    credits = Prefetch(
        "credits", queryset=Credit.objects.select_related("person").order_by("kind", "order")
    )
    return films(user).prefetch_related(credits).filter(pk=pk).first()


def similar_films(user, movie, n=SIMILAR_FILMS):
    """ "More like this", as on the film page: the model's neighbours, else by content."""
    movie_ids = movie_ids_similar_to(movie, n=n) or content.similar_movie_ids(movie, n=n)
    return films_in_order(user, movie_ids)[:n]


def search_people(query, limit=PEOPLE_FOUND):
    """People whose name matches ``query`` as the site's search does (accents, word
    order, a typo or two), best match first, then the best known; each with
    ``known_for`` ("Director", "Actor" or "Writer") and ``film_count``."""
    return search.search_people(query, limit=limit)


def person_films(user, person, limit=PERSON_FILMS):
    """``person``'s visible films, most rated first, each with the roles they had in it."""
    roles = {}
    for movie_id, kind, job, character in Credit.objects.filter(person=person).values_list(
        "movie_id", "kind", "job", "character"
    ):
        role = (character or "Cast") if kind == Credit.Kind.CAST else (job or "Crew")
        roles.setdefault(movie_id, []).append(role)
    movies = films(user).filter(pk__in=roles).popular()[:limit]
    return [{"film": movie, "roles": roles[movie.pk]} for movie in movies]
