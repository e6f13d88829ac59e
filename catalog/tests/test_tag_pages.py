"""Tag, keyword and studio pages: films ranked for the member, community score for visitors."""

import re

import pytest

from catalog.models import Company, Keyword, Movie, MovieTag
from catalog.tests.factories import make_movie
from ratings.models import Rating
from recommender.tests.factories import planted_catalog, trained_model

pytestmark = pytest.mark.django_db


def titles(html):
    return re.findall(r'class="card__title">([^<]+)<', html)


@pytest.fixture
def tagged(alice):
    """ "cult" on three comedies and three horror films; visitors' order puts horror
    first, alice loves comedies."""
    clusters = planted_catalog(n_per_cluster=8)
    trained_model()
    comedies, horrors = clusters["Comedy"], clusters["Horror"]
    for rank, movie in enumerate([*horrors[:3], *comedies[:3]]):
        Movie.objects.filter(pk=movie.pk).update(score=5 - rank / 10)
        MovieTag.objects.create(movie=movie, tag="cult", count=rank + 1)
    for movie in comedies[3:8]:
        Rating.objects.create(user=alice, movie=movie, value=5)
    return comedies, horrors


def test_visitors_see_a_tags_films_by_community_score(client, tagged):
    comedies, horrors = tagged
    html = client.get("/tags/cult/").content.decode()
    assert titles(html) == [movie.title for movie in [*horrors[:3], *comedies[:3]]]
    assert "MovieLens tag · 6 films" in html


def test_members_see_a_tags_films_in_their_recommendations_order(alice_client, tagged):
    comedies, _ = tagged
    html = alice_client.get("/tags/cult/").content.decode()
    assert set(titles(html)[:3]) == {movie.title for movie in comedies[:3]}
    assert "We think you'd give it" in html


def test_a_film_the_member_rated_comes_after_the_ones_they_have_not(alice, alice_client, tagged):
    _, horrors = tagged
    Rating.objects.create(user=alice, movie=horrors[0], value=4)
    assert titles(alice_client.get("/tags/cult/").content.decode())[-1] == horrors[0].title


def test_unknown_tag_is_404_and_hidden_films_stay_off(client, tagged):
    _, horrors = tagged
    assert client.get("/tags/no-such-tag/").status_code == 404
    horrors[0].is_hidden = True
    horrors[0].save()
    assert horrors[0].title not in client.get("/tags/cult/").content.decode()


def test_tags_with_spaces_and_slashes_have_pages(client):
    movie = make_movie("Brazil")
    tag = MovieTag.objects.create(movie=movie, tag="dystopia/satire", count=2)
    assert tag.get_absolute_url() == "/tags/dystopia/satire/"
    assert "Brazil" in client.get(tag.get_absolute_url()).content.decode()


def test_keyword_page_lists_its_films_and_redirects_to_its_slug(client):
    keyword = Keyword.objects.create(tmdb_id=9748, name="Revenge")
    movie = make_movie("Oldboy")
    movie.keywords.add(keyword)
    assert keyword.get_absolute_url() == f"/keywords/{keyword.pk}-revenge/"
    assert client.get(f"/keywords/{keyword.pk}/").status_code == 301
    html = client.get(keyword.get_absolute_url()).content.decode()
    assert titles(html) == ["Oldboy"]
    assert "TMDB keyword · 1 film" in html


def test_studio_page_lists_its_films_and_redirects_to_its_slug(client):
    ghibli = Company.objects.create(tmdb_id=10342, name="Studio Ghibli")
    pixar = Company.objects.create(tmdb_id=3, name="Pixar")
    make_movie("Spirited Away", score=4.3).companies.add(ghibli)
    make_movie("My Neighbor Totoro", score=4.1).companies.add(ghibli)
    make_movie("Up", score=4.0).companies.add(pixar)
    assert ghibli.get_absolute_url() == f"/studios/{ghibli.pk}-studio-ghibli/"
    assert client.get(f"/studios/{ghibli.pk}/").status_code == 301
    assert client.get(f"/studios/{ghibli.pk}-pixar/")["Location"] == ghibli.get_absolute_url()
    html = client.get(ghibli.get_absolute_url()).content.decode()
    assert titles(html) == ["Spirited Away", "My Neighbor Totoro"]
    assert "Production company · 2 films" in html
    assert client.get("/studios/999999-nobody/").status_code == 404


def test_film_page_links_its_studios(client):
    movie = make_movie("Spirited Away")
    ghibli = Company.objects.create(tmdb_id=10342, name="Studio <Ghibli>")
    movie.companies.add(ghibli)
    html = client.get(movie.get_absolute_url()).content.decode()
    assert f'href="{ghibli.get_absolute_url()}">Studio &lt;Ghibli&gt;</a>' in html
    assert "Studios" in html
    assert "Studios" not in client.get(make_movie("Brazil").get_absolute_url()).content.decode()


def test_film_page_links_its_tags_with_counts_and_its_keywords(client):
    movie = make_movie("Oldboy")
    MovieTag.objects.create(movie=movie, tag="twist ending", count=7)
    keyword = Keyword.objects.create(tmdb_id=9748, name="revenge")
    movie.keywords.add(keyword)
    html = client.get(movie.get_absolute_url()).content.decode()
    assert 'href="/tags/twist%20ending/">twist ending <span class="chip__count">' in html
    assert "tagged by </span>7<" in html
    assert f'href="{keyword.get_absolute_url()}">revenge</a>' in html


@pytest.mark.parametrize("count", [3, 40])
def test_tag_page_runs_a_bounded_number_of_queries(
    alice_client, alice, count, django_assert_max_num_queries
):
    for i in range(count):
        movie = make_movie(f"Film {i}", genres=["Drama", "Comedy"], score=i)
        MovieTag.objects.create(movie=movie, tag="quirky")
        if i % 4 == 0:
            Rating.objects.create(user=alice, movie=movie, value=3)
    with django_assert_max_num_queries(10):
        assert alice_client.get("/tags/quirky/").status_code == 200


def test_search_lists_a_studio_under_tags_and_studios(client):
    ghibli = Company.objects.create(tmdb_id=10342, name="Studio Ghibli")
    make_movie("Spirited Away").companies.add(ghibli)

    for url in ("/search/", "/search/suggest/"):
        html = client.get(url, {"q": "ghibli"}).content.decode()
        assert "Tags and studios" in html
        assert f'href="{ghibli.get_absolute_url()}"' in html
        assert "Studio · 1 film" in html
