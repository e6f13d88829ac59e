"""Recommendations for members: fold-in, exclusions, filters, predictions, reasons."""

from datetime import timedelta

import pytest
from django.utils import timezone

from catalog.models import Credit, Movie, Person
from catalog.tests.factories import make_movie
from ratings.models import DiaryEntry, ListEntry, MovieLensRating, Rating
from recommender.serving import (
    Filters,
    movie_ids_similar_to,
    predicted_rating,
    recency_clock,
    recommend_for,
    why_recommended,
)
from recommender.tests.factories import planted_catalog, trained_model

pytestmark = pytest.mark.django_db


def rate(user, movies, value):
    for movie in movies:
        Rating.objects.create(user=user, movie=movie, value=value)


def titles(recommendations):
    return [r.movie.title for r in recommendations]


def test_rating_half_a_cluster_brings_the_rest_of_it_first(alice, clusters):
    comedies = clusters["Comedy"]
    rate(alice, comedies[:6], 5.0)

    recommended = titles(recommend_for(alice, n=6))

    assert set(recommended) == {movie.title for movie in comedies[6:]}


def test_recommendations_change_the_moment_a_member_rates(alice, clusters):
    rate(alice, clusters["Comedy"][:6], 5.0)
    before = titles(recommend_for(alice, n=3))
    rate(alice, clusters["Horror"][:8], 5.0)
    Rating.objects.filter(user=alice, movie__in=clusters["Comedy"][:6]).update(value=0.5)
    after = titles(recommend_for(alice, n=3))
    assert all(title.startswith("Comedy") for title in before)
    assert all(title.startswith("Horror") for title in after)


def test_rated_hidden_watchlisted_and_staff_hidden_films_never_come_back(alice, clusters):
    comedies = clusters["Comedy"]
    rate(alice, comedies[:4], 5.0)
    ListEntry.objects.create(user=alice, movie=comedies[4], kind="hidden")
    ListEntry.objects.create(user=alice, movie=comedies[5], kind="watchlist")
    comedies[6].is_hidden = True
    comedies[6].save()

    shown = {r.movie.pk for r in recommend_for(alice, n=50)}

    assert not shown & {movie.pk for movie in comedies[:7]}
    with_watchlist = {
        r.movie.pk for r in recommend_for(alice, n=50, filters=Filters(include_watchlist=True))
    }
    assert comedies[5].pk in with_watchlist
    assert comedies[4].pk not in with_watchlist


def test_a_film_logged_in_the_diary_without_a_rating_counts_as_seen(alice, clusters):
    comedies = clusters["Comedy"]
    rate(alice, comedies[:4], 5.0)
    shown_before = [r.movie.pk for r in recommend_for(alice, n=3)]
    DiaryEntry.objects.create(user=alice, movie_id=shown_before[0])

    assert shown_before[0] not in {r.movie.pk for r in recommend_for(alice, n=50)}


def test_genre_and_year_filters(alice, clusters):
    rate(alice, clusters["Comedy"][:6], 5.0)
    horror = clusters["Horror"][0].genres.get()
    comedy = clusters["Comedy"][0].genres.get()

    only_horror = recommend_for(alice, n=50, filters=Filters(genres=(horror.pk,)))
    without_comedy = recommend_for(alice, n=50, filters=Filters(exclude_genres=(comedy.pk,)))
    nineties = recommend_for(alice, n=50, filters=Filters(year_from=1990, year_to=1994))

    assert only_horror and all(t.startswith("Horror") for t in titles(only_horror))
    assert titles(without_comedy) == titles(only_horror)
    assert nineties and all(1990 <= r.movie.year <= 1994 for r in nineties)


def test_minimum_number_of_ratings_filter(alice, clusters):
    rate(alice, clusters["Comedy"][:2], 5.0)
    result = recommend_for(alice, n=50, filters=Filters(min_ratings=30))
    counts = {m.pk: m.movielens_ratings.count() for m in (r.movie for r in result)}
    assert result and all(count >= 30 for count in counts.values())


def test_predicted_ratings_stay_in_range_and_follow_taste(alice, clusters):
    rate(alice, clusters["Comedy"][:6], 5.0)
    rate(alice, clusters["Horror"][:2], 0.5)
    result = recommend_for(alice, n=50)
    assert all(0.5 <= r.predicted_rating <= 5.0 for r in result)
    comedy_guess = predicted_rating(alice, clusters["Comedy"][8])
    horror_guess = predicted_rating(alice, clusters["Horror"][8])
    assert comedy_guess > horror_guess


def test_each_recommendation_gives_a_rated_film_as_its_reason(alice, clusters):
    rate(alice, clusters["Comedy"][:3], 5.0)
    rate(alice, clusters["Horror"][:3], 4.0)
    rated = {
        movie.pk: value
        for movie, value in [
            *((m, 5.0) for m in clusters["Comedy"][:3]),
            *((m, 4.0) for m in clusters["Horror"][:3]),
        ]
    }
    for recommendation in recommend_for(alice, n=10):
        assert recommendation.because.pk in rated
        assert recommendation.because_rating == rated[recommendation.because.pk]
        # The reason comes from the same cluster as the film.
        assert recommendation.because.title.split()[0] == recommendation.movie.title.split()[0]


def test_a_newcomer_gets_the_most_popular_films(alice, clusters):
    result = recommend_for(alice, n=5)
    counts = [r.movie.movielens_ratings.count() for r in result]
    assert len(result) == 5
    assert counts == sorted(counts, reverse=True)
    assert all(r.predicted_rating is None and r.because is None for r in result)


def test_few_ratings_blend_popularity_and_taste(alice, clusters):
    rate(alice, clusters["Horror"][:1], 5.0)
    result = titles(recommend_for(alice, n=4))
    assert sum(title.startswith("Horror") for title in result) >= 2


def test_films_the_model_does_not_know_never_break_a_page(alice, clusters):
    newcomer_film = make_movie("Brand New Film")
    rate(alice, [newcomer_film, *clusters["Comedy"][:5]], 5.0)
    result = recommend_for(alice, n=10)
    assert result and newcomer_film.pk not in {r.movie.pk for r in result}
    assert predicted_rating(alice, newcomer_film) is None


def test_without_a_trained_model_there_are_no_recommendations(alice):
    make_movie("Lonely Film")
    assert recommend_for(alice) == []


def test_the_popularity_control_moves_between_known_and_obscure_films(alice, clusters):
    from ratings.models import MovieLensRating

    # Comedies rated by fewer and fewer comedy lovers (odd MovieLens users love comedy).
    for i, movie in enumerate(make_movie(f"Cult Comedy {i}", genres=["Comedy"]) for i in range(12)):
        MovieLensRating.objects.bulk_create(
            MovieLensRating(
                movielens_user_id=user, movie_id=movie.movielens_id, rating=5.0, timestamp=0
            )
            for user in range(1, 2 + 4 * i, 2)
        )
    trained_model()
    rate(alice, clusters["Comedy"][:6], 5.0)

    def counts(popularity):
        films = recommend_for(alice, n=10, filters=Filters(popularity=popularity))
        return sorted(r.movie.movielens_ratings.count() for r in films)

    hidden_gems, balanced, crowd_pleasers = counts(-2), counts(0), counts(2)
    # On average (the lists share most films, so medians can tie).
    assert sum(hidden_gems) < sum(balanced) < sum(crowd_pleasers)
    # Below ten ratings fewer earn no bonus: the films rated once or thrice stay out.
    assert hidden_gems[0] >= 5


def test_sort_by_predicted_rating_orders_the_list_by_its_stars(alice, clusters):
    rate(alice, clusters["Comedy"][:4], 5.0)
    rate(alice, clusters["Horror"][:4], 3.0)

    result = recommend_for(alice, n=12, filters=Filters(sort="predicted"))

    predictions = [r.predicted_rating for r in result]
    assert len(result) == 12
    assert predictions == sorted(predictions, reverse=True)


def test_a_reason_always_shares_a_genre_with_the_film(alice, clusters):
    romance = [make_movie(f"Love {i}", genres=["Romance"]) for i in range(3)]
    rate(alice, clusters["Comedy"][:4], 5.0)
    rate(alice, romance, 5.0)  # unknown to the model: never a reason

    for recommendation in recommend_for(alice, n=10):
        if recommendation.because:
            shared = set(recommendation.because.genres.values_list("pk", flat=True))
            assert shared & set(recommendation.movie.genres.values_list("pk", flat=True))


def test_the_why_detail_lists_the_ratings_that_count_most(alice, clusters):
    rate(alice, clusters["Comedy"][:2], 5.0)
    rate(alice, clusters["Comedy"][2:4], 3.5)
    rate(alice, clusters["Horror"][:2], 1.0)

    why = why_recommended(alice, clusters["Comedy"][8])

    assert len(why) == 3
    assert all(c.movie.title.startswith("Comedy") for c in why)
    assert [c.rating for c in why][:2] == [5.0, 5.0]


def test_another_part_of_the_series_leads_more_like_this(clusters):
    first = make_movie("Night Watch", genres=["Horror"], year=2004)
    sequel = make_movie("Night Watch 2: Day Watch", genres=["Horror"], year=2006)
    rows = [(user, first) for user in range(2, 40, 2)] + [(user, sequel) for user in (2, 4)]
    MovieLensRating.objects.bulk_create(
        MovieLensRating(
            movielens_user_id=user, movie_id=movie.movielens_id, rating=4.0, timestamp=0
        )
        for user, movie in rows
    )
    trained_model()

    assert movie_ids_similar_to(first)[0] == sequel.pk


def test_a_part_found_only_by_its_tmdb_collection_leads_more_like_this(clusters):
    # Titles alone cannot tell these are one series; TMDB's collection can.
    first = make_movie("Matrix, The", genres=["Horror"], year=1999)
    sequel = make_movie("Matrix Reloaded, The", genres=["Comedy"], year=2003)
    Movie.objects.filter(pk__in=[first.pk, sequel.pk]).update(
        tmdb_collection_id=2344, tmdb_collection_name="The Matrix Collection"
    )
    rows = [(user, first) for user in range(2, 40, 2)] + [(user, sequel) for user in (1, 3)]
    MovieLensRating.objects.bulk_create(
        MovieLensRating(
            movielens_user_id=user, movie_id=movie.movielens_id, rating=4.0, timestamp=0
        )
        for user, movie in rows
    )
    trained_model()

    assert movie_ids_similar_to(first)[0] == sequel.pk


def test_a_film_with_few_ratings_gets_more_like_this_by_content(clusters):
    rare = make_movie("Obscure Chiller", genres=["Horror"])
    MovieLensRating.objects.create(
        movielens_user_id=1, movie_id=rare.movielens_id, rating=4.0, timestamp=0
    )
    trained_model()

    similar = Movie.objects.in_bulk(movie_ids_similar_to(rare)[:12])

    horror = sum(movie.title.startswith("Horror") for movie in similar.values())
    assert similar and horror >= len(similar) * 0.75


def test_a_shared_director_is_reason_enough_when_no_genre_is_shared(alice):
    clusters = planted_catalog()
    untagged = clusters["Comedy"][8]
    untagged.genres.clear()  # before training, so the model has no genre for it
    trained_model()
    director = Person.objects.create(name="Jacques Tati")
    for movie in [*clusters["Comedy"][:5], untagged]:
        Credit.objects.create(movie=movie, person=director, kind="crew", job="Director")
    rate(alice, clusters["Comedy"][:5], 5.0)

    result = {r.movie.pk: r for r in recommend_for(alice, n=20)}

    assert result[untagged.pk].because in clusters["Comedy"][:5]
    Credit.objects.filter(movie=untagged).delete()
    assert {r.movie.pk: r for r in recommend_for(alice, n=20)}[untagged.pk].because is None


def test_a_ranked_list_is_kept_in_the_shared_cache_until_the_member_rates(
    alice, clusters, settings, shared_cache_redis, django_assert_max_num_queries
):
    from conftest import SHARED_CACHE_TEST_URL

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": SHARED_CACHE_TEST_URL,
        }
    }
    rate(alice, clusters["Comedy"][:6], 5.0)

    def shown(recommendations):
        return [
            (r.movie.pk, r.predicted_rating, r.because and r.because.pk, r.because_rating)
            for r in recommendations
        ]

    first = shown(recommend_for(alice, n=6))
    assert shared_cache_redis.keys("*recommender:ranked:*")
    # Ratings, left-out films, the films with their genres, the reasons' films.
    with django_assert_max_num_queries(5):
        again = shown(recommend_for(alice, n=6))
    assert again == first

    Rating.objects.filter(user=alice).update(value=0.5)
    rate(alice, clusters["Horror"][:6], 5.0)
    after = recommend_for(alice, n=6)
    assert all(r.movie.title.startswith("Horror") for r in after)


def test_what_a_member_rated_in_this_sitting_counts_more_than_last_week(alice, clusters):
    week_ago = timezone.now() - timedelta(days=7)
    comedies, horror = clusters["Comedy"], clusters["Horror"]
    rate(alice, comedies[:6], 5.0)
    rate(alice, horror[:2], 5.0)
    Rating.objects.filter(user=alice).update(rated_at=week_ago)
    all_old = titles(recommend_for(alice, n=6))

    Rating.objects.filter(user=alice, movie__in=horror[:2]).update(rated_at=timezone.now())
    horror_new = titles(recommend_for(alice, n=6))
    # A week-old session is no session: ages count from now, not from her newest rating.
    Rating.objects.filter(user=alice, movie__in=comedies[:6]).update(
        rated_at=week_ago - timedelta(days=30)
    )
    Rating.objects.filter(user=alice, movie__in=horror[:2]).update(rated_at=week_ago)
    horror_last_week = titles(recommend_for(alice, n=6))

    def horror_count(shown):
        return sum(title.startswith("Horror") for title in shown)

    assert all_old[0].startswith("Comedy")
    assert horror_new[0].startswith("Horror")
    assert horror_count(horror_new) > horror_count(all_old)
    assert horror_last_week == all_old


def test_a_list_follows_the_clock_only_while_a_rating_is_young(clusters):
    from recommender.serving import model_cache

    model = model_cache.get().model
    half_life = model.params["recency_half_life_days"] * 86_400
    now = 1_800_000_000.0
    rated_now = [(1, 5.0, now - 60)]

    clock = recency_clock(model, rated_now, now=now)
    assert clock is not None and now < clock <= now + half_life / 12
    # Ten minutes later is another step, so another cached list.
    assert recency_clock(model, rated_now, now=now + half_life / 12) != clock
    # Once settled (the boost under 1 %) the list no longer depends on the time.
    assert recency_clock(model, [(1, 5.0, now - 86_400)], now=now) is None
    assert recency_clock(model, [], now=now) is None
    still = model.serving_with(recency_boost=0.0)
    assert recency_clock(still, rated_now, now=now) is None


def test_within_one_sitting_the_films_rated_last_lead_the_list(alice, bob, clusters):
    comedies, horror = clusters["Comedy"], clusters["Horror"]
    rate(alice, comedies[:6], 5.0)
    rate(alice, horror[:6], 5.0)
    rate(bob, horror[:6], 5.0)
    rate(bob, comedies[:6], 5.0)

    def horror_count(shown):
        return sum(title.startswith("Horror") for title in shown)

    alice_sees, bob_sees = titles(recommend_for(alice, n=6)), titles(recommend_for(bob, n=6))

    # The same twelve ratings minutes apart; the order they were made in decides.
    assert alice_sees[0].startswith("Horror") and bob_sees[0].startswith("Comedy")
    assert horror_count(alice_sees) > horror_count(bob_sees)
