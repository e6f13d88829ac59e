"""Training and publishing: skip when unchanged, refuse regressions, atomic switch."""

import json
import logging
from datetime import timedelta

import numpy as np
import pandas as pd
import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from catalog.models import Company, Keyword
from catalog.tests.factories import make_movie
from ratings.models import MovieLensRating, Rating
from recommender.artifacts import load_bundle
from recommender.factorization import ModelParams
from recommender.models import ModelVersion, TrainingLease
from recommender.serving import model_cache, recommend_for
from recommender.tests.factories import planted_catalog
from recommender.training import (
    SITE_USER_OFFSET,
    TrainingInProgress,
    _holdout_split,
    load_training_data,
    one_training_at_a_time,
    prune_versions,
    train_and_publish,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def untrained_clusters():
    return planted_catalog()


def test_first_training_publishes_a_serving_version(untrained_clusters):
    outcome = train_and_publish()
    version = ModelVersion.objects.get()
    assert outcome.published and version.is_serving
    assert version.status == ModelVersion.Status.SERVING
    assert version.n_items == 24 and version.n_ratings > 0
    assert 0 < version.metrics["ndcg"] <= 1
    assert (settings.MODEL_DIR / version.name / "model.joblib").is_file()


def hidden_ratings():
    """The (user, film) ratings the evaluation hides, by keys that survive new data."""
    data = load_training_data()
    _, in_training = _holdout_split(data)
    movielens = MovieLensRating.objects.values_list("movielens_user_id", flat=True)
    site = [
        user_id + SITE_USER_OFFSET for user_id in Rating.objects.values_list("user_id", flat=True)
    ]
    user_keys = np.unique(np.array([*movielens, *site], dtype=np.int64))
    hidden = ~in_training
    users = user_keys[data.user_codes[hidden]].tolist()
    return set(zip(users, data.movie_ids[data.item_codes[hidden]].tolist(), strict=True))


def test_every_training_holds_out_the_same_ratings_of_the_same_members(
    untrained_clusters, django_user_model
):
    before = hidden_ratings()
    assert before
    for n in range(10):
        member = django_user_model.objects.create_user(f"member{n}")
        Rating.objects.bulk_create(
            Rating(user=member, movie=movie, value=4.5) for movie in untrained_clusters["Comedy"]
        )
    after = hidden_ratings()
    assert before <= after
    assert hidden_ratings() == after  # and the same data, the same holdout


def test_the_gate_compares_scores_of_the_same_holdout_only(untrained_clusters):
    first = train_and_publish().version
    first.metrics = {key: value for key, value in first.metrics.items() if key != "holdout"}
    first.metrics["ndcg"] = 0.999  # scored on some other holdout: not comparable
    first.save()
    outcome = train_and_publish(force=True)
    assert outcome.published
    assert "scored on another holdout" in outcome.version.notes


def test_the_published_model_learned_from_every_rating(untrained_clusters):
    version = train_and_publish().version
    bundle = load_bundle(settings.MODEL_DIR / version.name)
    assert int(bundle.model.item_counts.sum()) == version.n_ratings
    assert "refit_seconds" in version.timings


def test_a_refused_model_is_the_one_the_gate_scored(untrained_clusters):
    first = train_and_publish().version
    first.metrics = {**first.metrics, "ndcg": 0.999}
    first.save()
    refused = train_and_publish(force=True).version
    bundle = load_bundle(settings.MODEL_DIR / refused.name)
    assert refused.status == ModelVersion.Status.REJECTED
    assert int(bundle.model.item_counts.sum()) < refused.n_ratings
    assert "refit_seconds" not in refused.timings


def test_unchanged_data_skips_training(untrained_clusters):
    train_and_publish()
    outcome = train_and_publish()
    assert not outcome.published
    assert "unchanged" in outcome.message
    assert ModelVersion.objects.count() == 1


def test_a_new_site_rating_makes_the_next_run_train(untrained_clusters, alice):
    train_and_publish()
    Rating.objects.create(user=alice, movie=untrained_clusters["Comedy"][0], value=4.0)
    outcome = train_and_publish()
    assert outcome.published
    assert ModelVersion.objects.count() == 2
    assert ModelVersion.objects.filter(is_serving=True).get() == outcome.version


def test_a_worse_model_is_refused_and_the_old_one_keeps_serving(untrained_clusters):
    first = train_and_publish().version
    first.metrics = {**first.metrics, "ndcg": 0.999}
    first.save()
    outcome = train_and_publish(force=True, tolerance=0.01)
    assert not outcome.published
    assert outcome.version.status == ModelVersion.Status.REJECTED
    assert ModelVersion.objects.get(is_serving=True) == first


def test_web_workers_switch_to_a_new_version_without_restart(untrained_clusters, alice):
    train_and_publish()
    old = model_cache.get()
    train_and_publish(force=True)
    model_cache._checked_at = 0  # the periodic check comes due
    assert model_cache.get() is not old


def test_a_broken_new_artifact_is_refused_and_the_previous_keeps_serving(untrained_clusters, alice):
    train_and_publish()
    Rating.objects.create(user=alice, movie=untrained_clusters["Comedy"][0], value=5.0)
    serving = model_cache.get()
    second = train_and_publish(force=True).version
    (settings.MODEL_DIR / second.name / "model.joblib").write_bytes(b"garbage")
    model_cache._checked_at = 0
    assert model_cache.get() is serving
    assert recommend_for(alice, n=3)


def test_an_artifact_of_the_previous_format_is_refused_while_the_old_model_serves(
    untrained_clusters, alice, caplog
):
    train_and_publish()
    Rating.objects.create(user=alice, movie=untrained_clusters["Comedy"][0], value=5.0)
    serving = model_cache.get()
    second = train_and_publish(force=True).version
    meta_path = settings.MODEL_DIR / second.name / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["format_version"] = 1  # as written before recommender.model became factorization
    meta_path.write_text(json.dumps(meta))

    with caplog.at_level(logging.ERROR, logger="recommender.serving"):
        model_cache._checked_at = 0
        assert model_cache.get() is serving
    assert recommend_for(alice, n=3)
    assert "artifact format 1 was written by an older NextFilms" in caplog.text
    assert "train_recommender" in caplog.text


def test_a_refused_artifact_is_logged_once_in_one_line(untrained_clusters, alice, caplog):
    train_and_publish()
    Rating.objects.create(user=alice, movie=untrained_clusters["Comedy"][0], value=5.0)
    serving = model_cache.get()
    second = train_and_publish(force=True).version
    (settings.MODEL_DIR / second.name / "model.joblib").write_bytes(b"garbage")
    with caplog.at_level(logging.INFO, logger="recommender.serving"):
        for _ in range(3):  # three periodic checks
            model_cache._checked_at = 0
            assert model_cache.get() is serving
    refused = [record for record in caplog.records if second.name in record.getMessage()]
    assert len(refused) == 1
    assert refused[0].levelno == logging.ERROR and refused[0].exc_info is None
    assert "\n" not in refused[0].getMessage() and "cannot be read" in refused[0].getMessage()

    third = train_and_publish(force=True).version
    model_cache._checked_at = 0
    assert model_cache.get() is not serving and model_cache._name == third.name


def test_old_versions_are_pruned_but_never_the_serving_one(untrained_clusters):
    created = [train_and_publish(force=True).version.name for _ in range(5)]
    prune_versions(keep=2)
    remaining = list(ModelVersion.objects.all())
    assert len(remaining) == 3
    assert any(version.is_serving for version in remaining)
    # MODEL_DIR also holds other tests' versions: look at this test's own.
    folders = {path.name for path in settings.MODEL_DIR.iterdir()}
    assert {name for name in created if name in folders} == {v.name for v in remaining}


def test_command_reports_what_it_did(untrained_clusters, capsys):
    call_command("train_recommender")
    call_command("train_recommender")
    output = capsys.readouterr().out
    assert "Published" in output
    assert "Training data unchanged" in output


def test_a_second_training_is_told_one_is_already_running(untrained_clusters):
    with one_training_at_a_time():
        with pytest.raises(TrainingInProgress, match="already running"):
            train_and_publish(force=True)
        with pytest.raises(CommandError, match="A training is already running"):
            call_command("train_recommender", "--force")
    assert not ModelVersion.objects.exists()
    # Released when the first one ends, whichever way it ends.
    assert train_and_publish().published
    assert not TrainingLease.objects.exists()


def test_a_training_killed_on_the_way_does_not_block_the_next_one(untrained_clusters):
    long_ago = timezone.now() - timedelta(hours=2)
    TrainingLease.objects.create(
        pk=1, token="killed", holder="a lost worker", started_at=long_ago, expires_at=long_ago
    )
    assert train_and_publish().published
    assert not TrainingLease.objects.exists()


def test_training_without_ratings_says_what_to_do(db):
    outcome = train_and_publish()
    assert not outcome.published and "import MovieLens first" in outcome.message


def test_evaluate_command_prints_every_protocol(untrained_clusters, capsys):
    call_command("evaluate_recommender", "--factors", "4")
    output = capsys.readouterr().out
    assert "most-rated popularity" in output
    assert "EASE, λ=1000" in output
    assert "NextFilms, k=512 (site)" in output
    assert "NextFilms, k=4" in output
    site_row = next(line for line in output.splitlines() if "(site)" in line)
    p1_ndcg, p1_recall, p3_ndcg, p3_recall, rmse = (
        float(value) for value in site_row.split()[-6:-1]
    )
    assert 0 < p1_ndcg <= 1 and 0 < p1_recall <= 1 and 0 < rmse < 2
    assert 0 <= p3_ndcg <= 1 and 0 <= p3_recall <= 1
    just_rated = next(line for line in output.splitlines() if "just rated" in line)
    assert 0 < float(just_rated.split()[-6]) <= 1


def test_evaluate_command_measures_the_lists(untrained_clusters, capsys):
    call_command("evaluate_recommender", "--seeds", "1", "--skip-rmse", "--skip-ease", "--lists")
    output = capsys.readouterr().out
    measures = ("Spearman", "five new 5★", "top-3 contributor", "series part", "rated < 10")
    measures += ("most rated films: share of their top 12 rated < 5 times",)
    for measure in (*measures, "(calibration)"):
        assert measure in output
    assert output.count("median") >= 5


def test_evaluate_command_refuses_an_unreadable_csv(db, tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Cannot read"):
        call_command("evaluate_recommender", "--csv", str(tmp_path / "missing.csv"))


def test_training_reports_how_often_two_stage_ranking_settles_a_list():
    planted_catalog(n_per_cluster=100)

    train_and_publish(params=ModelParams(n_factors=8, score_prefix=2, score_pool=5))

    assert 0 <= ModelVersion.objects.get().metrics["prefix_settled"] <= 1


@pytest.mark.parametrize("needed, kept", [(0.0, True), (1.01, False)])
def test_two_stage_ranking_serves_only_where_it_settled_enough_lists(needed, kept):
    planted_catalog(n_per_cluster=100)
    params = ModelParams(n_factors=8, score_prefix=2, score_pool=5, score_prefix_min_settled=needed)

    train_and_publish(params=params)

    version = ModelVersion.objects.get()
    model = load_bundle(settings.MODEL_DIR / version.name).model
    assert model.params["score_prefix"] == (2 if kept else 0)
    assert version.metrics.get("prefix_off", False) is not kept


def _studios(clusters):
    """Two keywords and a company over some planted films; one unrated film has them too."""
    heist = Keyword.objects.create(tmdb_id=10051, name="heist")
    ghosts = Keyword.objects.create(tmdb_id=162846, name="ghost")
    studio = Company.objects.create(tmdb_id=3, name="Pixar")
    comedy, horror = clusters["Comedy"], clusters["Horror"]
    unrated = make_movie("Never rated")
    for movie in comedy[:3]:
        movie.keywords.add(heist)
    for movie in horror[:2]:
        movie.keywords.add(ghosts)
    for movie in (comedy[0], horror[0], unrated):
        movie.companies.add(studio)
    return heist, ghosts, studio


def test_training_data_carries_the_catalogs_keywords_and_companies(untrained_clusters):
    _studios(untrained_clusters)
    data = load_training_data()

    features, items = data.content
    films_by_feature = {}
    for feature, item in zip(features.tolist(), items.tolist(), strict=True):
        films_by_feature.setdefault(feature, set()).add(int(data.movie_ids[item]))
    comedy, horror = untrained_clusters["Comedy"], untrained_clusters["Horror"]
    # The unrated film is not an item of the model, so its company lists only the rated two.
    assert {frozenset(films) for films in films_by_feature.values()} == {
        frozenset({comedy[0].pk, horror[0].pk}),
        frozenset({horror[0].pk, horror[1].pk}),
        frozenset(movie.pk for movie in comedy[:3]),
    }


def test_a_keyword_from_the_tmdb_sync_makes_the_next_run_train(untrained_clusters):
    train_and_publish()
    assert "unchanged" in train_and_publish().message
    heist = Keyword.objects.create(tmdb_id=10051, name="heist")
    for movie in untrained_clusters["Comedy"][:3]:
        movie.keywords.add(heist)

    assert train_and_publish(tolerance=1.0).published


def test_evaluate_command_factorizes_the_catalogs_content(untrained_clusters, capsys):
    _studios(untrained_clusters)
    call_command("evaluate_recommender", "--seeds", "1", "--skip-rmse", "--skip-ease")
    output = capsys.readouterr().out
    assert "content rows: 3 keywords and companies of 6 films" in output


def test_evaluate_command_reads_a_tmdb_export_through_movielens_links(db, tmp_path, capsys):
    rng = np.random.default_rng(0)
    ratings = pd.DataFrame(
        [
            (user, movie, float(rng.choice([3.0, 4.0, 5.0])), 1_000_000 + movie)
            for user in range(1, 41)
            for movie in range(1, 13)
            if rng.random() < 0.6
        ],
        columns=["userId", "movieId", "rating", "timestamp"],
    )
    ratings.to_csv(tmp_path / "ratings.csv", index=False)
    pd.DataFrame({"movieId": range(1, 13), "tmdbId": range(501, 513)}).to_csv(
        tmp_path / "links.csv", index=False
    )
    keyword = json.dumps([{"id": 7, "name": "heist"}])
    company = json.dumps([{"id": 3, "name": "Pixar"}])
    pd.DataFrame(
        {
            "id": [501, 502, 503, 999],  # 999 is no MovieLens film
            "keywords": [keyword, keyword, "[]", keyword],
            "production_companies": [company, "[]", company, company],
        }
    ).to_csv(tmp_path / "tmdb.csv", index=False)

    call_command(
        "evaluate_recommender",
        "--csv",
        str(tmp_path / "ratings.csv"),
        "--tmdb-csv",
        str(tmp_path / "tmdb.csv"),
        "--seeds",
        "1",
        "--skip-rmse",
        "--skip-ease",
    )

    assert "content rows: 2 keywords and companies of 3 films" in capsys.readouterr().out
    with pytest.raises(CommandError, match="needs --csv"):
        call_command("evaluate_recommender", "--tmdb-csv", str(tmp_path / "tmdb.csv"))


def test_evaluate_command_refuses_a_broken_tmdb_export(db, tmp_path):
    (tmp_path / "ratings.csv").write_text("userId,movieId,rating,timestamp\n1,1,4.0,0\n")
    (tmp_path / "links.csv").write_text("movieId,imdbId,tmdbId\n1,0114709,862\n")
    (tmp_path / "tmdb.csv").write_text('id,keywords,production_companies\n862,"[{not json",[]\n')

    for export in ("tmdb.csv", "missing.csv"):
        with pytest.raises(CommandError, match="Cannot read"):
            call_command(
                "evaluate_recommender",
                "--csv",
                str(tmp_path / "ratings.csv"),
                "--tmdb-csv",
                str(tmp_path / export),
            )
