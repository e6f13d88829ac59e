"""Content similarity for films the rating model cannot place (few or no ratings).

Each film is a bag of features — its genres, the people in its credits, its
TMDB keywords, the tags MovieLens users gave it (repeated up to a few times by
how many gave it), its decade — weighted by TF-IDF, so a shared director or a
"time travel" tag counts more than a shared "Drama"; "more like this" is the
cosine nearest films among those sharing a genre, a person or a keyword, most
rated first when tied.
"""

from django.core.cache import cache
from django.db.models import Q

from catalog.models import Credit, Movie, MovieTag

CANDIDATES = 2000
MAX_TAG_REPEATS = 3
CACHE_SECONDS = 24 * 60 * 60


def similar_movie_ids(movie, n=12):
    """Ids of the ``n`` films most similar to ``movie`` by content, best first."""
    key = f"content-similar:{movie.pk}:{n}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    genre_ids = list(movie.genres.values_list("id", flat=True))
    person_ids = list(Credit.objects.filter(movie=movie).values_list("person_id", flat=True))
    keyword_ids = list(movie.keywords.values_list("id", flat=True))
    if not genre_ids and not person_ids and not keyword_ids:
        return []
    candidates = list(
        Movie.objects.visible()
        .filter(
            Q(genres__in=genre_ids)
            | Q(credits__person__in=person_ids)
            | Q(keywords__in=keyword_ids)
        )
        .exclude(pk=movie.pk)
        .order_by("-rating_count", "id")
        .values_list("id", "year")
        .distinct()[:CANDIDATES]
    )
    if not candidates:
        return []
    # scikit-learn is imported here, not at module level: web workers that never
    # need the fallback do not pay its memory.
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    features = _features([movie.pk, *(movie_id for movie_id, _ in candidates)])
    features[movie.pk].append(_decade(movie.year))
    for movie_id, year in candidates:
        features[movie_id].append(_decade(year))
    ids = [movie.pk, *(movie_id for movie_id, _ in candidates)]
    matrix = TfidfVectorizer(analyzer=list, sublinear_tf=True).fit_transform(
        [features[movie_id] for movie_id in ids]
    )
    similarity = linear_kernel(matrix[0], matrix[1:]).ravel()
    # Candidates are ordered by popularity, so a stable sort keeps the better
    # known film first among equals.
    order = sorted(range(len(candidates)), key=lambda i: -similarity[i])
    result = [candidates[i][0] for i in order[:n] if similarity[i] > 0]
    cache.set(key, result, CACHE_SECONDS)
    return result


def _features(movie_ids):
    features = {movie_id: [] for movie_id in movie_ids}
    through = Movie.genres.through.objects.filter(movie_id__in=movie_ids)
    for movie_id, genre_id in through.values_list("movie_id", "genre_id"):
        features[movie_id].append(f"genre:{genre_id}")
    credits = Credit.objects.filter(movie_id__in=movie_ids).values_list("movie_id", "person_id")
    for movie_id, person_id in credits:
        features[movie_id].append(f"person:{person_id}")
    keywords = Movie.keywords.through.objects.filter(movie_id__in=movie_ids)
    for movie_id, keyword_id in keywords.values_list("movie_id", "keyword_id"):
        features[movie_id].append(f"keyword:{keyword_id}")
    tags = MovieTag.objects.filter(movie_id__in=movie_ids).values_list("movie_id", "tag", "count")
    for movie_id, tag, count in tags:
        features[movie_id].extend([f"tag:{tag}"] * min(count, MAX_TAG_REPEATS))
    return features


def _decade(year):
    return f"decade:{year - year % 10}" if year else "decade:unknown"
