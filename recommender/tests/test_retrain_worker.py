"""Retraining on a real Celery worker, and on schedule through Celery beat."""

import pytest
from celery import Celery
from django.conf import settings
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from conftest import CELERY_TEST_BROKER, wait_until
from recommender.models import ModelVersion
from recommender.tests.factories import planted_catalog
from recommender.training import one_training_at_a_time

pytestmark = pytest.mark.worker
WORKER_ARGS = [
    "worker",
    "--loglevel=INFO",
    "--concurrency=1",
    "--without-gossip",
    "--without-mingle",
]


@pytest.fixture
def worker(celery_process):
    return celery_process(WORKER_ARGS, env={"MODEL_DIR": str(settings.MODEL_DIR)})


@pytest.fixture
def broker(redis_db):
    app = Celery("retrain-tests", broker=CELERY_TEST_BROKER)
    yield app
    app.close()


def retrain(broker, **kwargs):
    broker.send_task("recommender.tasks.retrain_recommender", kwargs=kwargs)


def test_worker_publishes_then_skips_then_refuses_a_regression(worker, broker):
    planted_catalog()

    retrain(broker)
    wait_until(lambda: ModelVersion.objects.filter(is_serving=True).exists(), timeout=60)
    first = ModelVersion.objects.get()
    assert (settings.MODEL_DIR / first.name / "model.joblib").is_file()

    retrain(broker)
    wait_until(lambda: "Training data unchanged" in worker.log_path.read_text(), timeout=60)
    assert ModelVersion.objects.count() == 1

    first.metrics = {**first.metrics, "ndcg": 0.999}
    first.save()
    retrain(broker, force=True)
    wait_until(lambda: ModelVersion.objects.count() == 2, timeout=60)
    rejected = ModelVersion.objects.exclude(pk=first.pk).get()
    assert rejected.status == ModelVersion.Status.REJECTED
    assert ModelVersion.objects.get(is_serving=True) == first


def test_a_training_running_elsewhere_turns_the_worker_away(worker, broker):
    planted_catalog()
    with one_training_at_a_time():  # as far as the worker can tell, this process trains
        retrain(broker, force=True)
        wait_until(
            lambda: "A training is already running" in worker.log_path.read_text(), timeout=60
        )
        assert not ModelVersion.objects.exists()

    retrain(broker, force=True)
    wait_until(lambda: ModelVersion.objects.filter(is_serving=True).exists(), timeout=60)


def test_beat_runs_the_retraining_on_its_schedule(celery_process, worker):
    planted_catalog()
    every_second, _ = IntervalSchedule.objects.get_or_create(
        every=1, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.update(enabled=False)
    PeriodicTask.objects.create(
        name="retrain every second (test)",
        task="recommender.tasks.retrain_recommender",
        interval=every_second,
    )
    celery_process(
        ["beat", "--loglevel=INFO", "--max-interval=1"],
        env={"MODEL_DIR": str(settings.MODEL_DIR)},
        ready="beat: Starting",
    )
    wait_until(lambda: ModelVersion.objects.filter(is_serving=True).exists(), timeout=60)
    # Later ticks find nothing new to learn from and keep the same version.
    wait_until(lambda: "Training data unchanged" in worker.log_path.read_text(), timeout=30)
    assert ModelVersion.objects.count() == 1
