"""Content similarity for films the rating model cannot place (few or no ratings).

Each film is a bag of features — its genres, the people in its credits, its
TMDB keywords, the tags MovieLens users gave it (repeated up to a few times by
how many gave it), its decade — weighted by TF-IDF, so a shared director or a
"time travel" tag counts more than a shared "Drama"; "more like this" is the
cosine nearest films among those sharing a genre, a person or a keyword, most
rated first when tied.
"""

import numpy as np
from django.core.cache import cache
from django.db.models import Q

from catalog.models import Credit, Movie, MovieTag
from catalog.text import series_key

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
    features = _features([movie.pk, *(movie_id for movie_id, _ in candidates)])
    features[movie.pk].append(decade_feature(movie.year))
    for movie_id, year in candidates:
        features[movie_id].append(decade_feature(year))
    ids = [movie.pk, *(movie_id for movie_id, _ in candidates)]
    matrix = tfidf_rows([features[movie_id] for movie_id in ids])
    similarity = (matrix[1:] @ matrix[0].T).toarray().ravel()
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


def tfidf_rows(feature_lists):
    """Unit-length TF-IDF rows (sparse) of films' feature lists: a row product is a cosine."""
    # scikit-learn is imported here, not at module level: web workers that never
    # need content similarity do not pay its memory.
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=list, sublinear_tf=True).fit_transform(feature_lists)


def decade_feature(year):
    return f"decade:{year - year % 10}" if year else "decade:unknown"


def series_ids(movielens_titles, collections=None):
    """A series id per title (1, 2, …) shared by the parts of a series; 0 alone.

    Parts share a title's series key (``catalog.text.series_key``) or a TMDB
    collection id (``collections``, 0 or None for none), so "The Matrix Reloaded"
    joins "Matrix, The" through its collection even though the titles differ.
    """
    keys = [series_key(title) if title else "" for title in movielens_titles]
    collections = collections if collections is not None else [None] * len(keys)
    groups = [
        [("title", key) if key else None, ("collection", int(c)) if c else None]
        for key, c in zip(keys, collections, strict=True)
    ]
    # Union-find over titles and collections: each film joins its two labels.
    parent = {}

    def root(label):
        parent.setdefault(label, label)
        while parent[label] != label:
            parent[label] = parent[parent[label]]
            label = parent[label]
        return label

    for labels in groups:
        present = [label for label in labels if label]
        for label in present[1:]:
            parent[root(label)] = root(present[0])
    roots = [
        root(next(label for label in labels if label)) if any(labels) else None for labels in groups
    ]
    sizes = {}
    for label in roots:
        sizes[label] = sizes.get(label, 0) + 1
    numbers = {}
    ids = np.zeros(len(keys), dtype=np.int32)
    for index, label in enumerate(roots):
        if label is not None and sizes[label] > 1:
            ids[index] = numbers.setdefault(label, len(numbers) + 1)
    return ids
