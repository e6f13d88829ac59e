"""Training and publishing: skip when unchanged, refuse regressions, atomic switch."""

import pytest
from django.conf import settings
from django.core.management import call_command

from ratings.models import Rating
from recommender.models import ModelVersion
from recommender.serving import model_cache, recommend_for
from recommender.tests.factories import planted_catalog
from recommender.training import prune_versions, train_and_publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def clusters():
    return planted_catalog()


def test_first_training_publishes_a_serving_version(clusters):
    outcome = train_and_publish()
    version = ModelVersion.objects.get()
    assert outcome.published and version.is_serving
    assert version.status == ModelVersion.Status.SERVING
    assert version.n_items == 24 and version.n_ratings > 0
    assert 0 < version.metrics["ndcg"] <= 1
    assert (settings.MODEL_DIR / version.name / "model.joblib").is_file()


def test_unchanged_data_skips_training(clusters):
    train_and_publish()
    outcome = train_and_publish()
    assert not outcome.published
    assert "unchanged" in outcome.message
    assert ModelVersion.objects.count() == 1


def test_a_new_site_rating_makes_the_next_run_train(clusters, alice):
    train_and_publish()
    Rating.objects.create(user=alice, movie=clusters["Comedy"][0], value=4.0)
    outcome = train_and_publish()
    assert outcome.published
    assert ModelVersion.objects.count() == 2
    assert ModelVersion.objects.filter(is_serving=True).get() == outcome.version


def test_a_worse_model_is_refused_and_the_old_one_keeps_serving(clusters):
    first = train_and_publish().version
    first.metrics = {**first.metrics, "ndcg": 0.999}
    first.save()
    outcome = train_and_publish(force=True, tolerance=0.01)
    assert not outcome.published
    assert outcome.version.status == ModelVersion.Status.REJECTED
    assert ModelVersion.objects.get(is_serving=True) == first


def test_web_workers_switch_to_a_new_version_without_restart(clusters, alice):
    train_and_publish()
    old = model_cache.get()
    train_and_publish(force=True)
    model_cache._checked_at = 0  # the periodic check comes due
    assert model_cache.get() is not old


def test_a_broken_new_artifact_is_refused_and_the_previous_keeps_serving(clusters, alice):
    train_and_publish()
    Rating.objects.create(user=alice, movie=clusters["Comedy"][0], value=5.0)
    serving = model_cache.get()
    second = train_and_publish(force=True).version
    (settings.MODEL_DIR / second.name / "model.joblib").write_bytes(b"garbage")
    model_cache._checked_at = 0
    assert model_cache.get() is serving
    assert recommend_for(alice, n=3)


def test_old_versions_are_pruned_but_never_the_serving_one(clusters):
    for _ in range(5):
        train_and_publish(force=True)
    prune_versions(keep=2)
    remaining = list(ModelVersion.objects.all())
    assert len(remaining) == 3
    assert any(version.is_serving for version in remaining)
    folders = {path.name for path in settings.MODEL_DIR.iterdir()}
    assert folders == {version.name for version in remaining}


def test_command_reports_what_it_did(clusters, capsys):
    call_command("train_recommender")
    call_command("train_recommender")
    output = capsys.readouterr().out
    assert "Published" in output
    assert "Training data unchanged" in output


def test_training_without_ratings_says_what_to_do(db):
    outcome = train_and_publish()
    assert not outcome.published and "import MovieLens first" in outcome.message


def test_evaluate_command_prints_every_protocol(clusters, capsys):
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


def test_evaluate_command_measures_the_lists(clusters, capsys):
    call_command("evaluate_recommender", "--seeds", "1", "--skip-rmse", "--skip-ease", "--lists")
    output = capsys.readouterr().out
    for measure in ("Spearman", "five new 5★", "top-3 contributor", "series part", "rated < 10"):
        assert measure in output
    assert output.count("median") >= 5


def test_evaluate_command_refuses_an_unreadable_csv(db, tmp_path):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="Cannot read"):
        call_command("evaluate_recommender", "--csv", str(tmp_path / "missing.csv"))
