"""Staff see model versions and can train on demand from the admin."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse

from conftest import wait_until
from recommender.models import ModelVersion
from recommender.tasks import queue_retraining
from recommender.tests.factories import planted_catalog
from recommender.training import one_training_at_a_time, train_and_publish

pytestmark = pytest.mark.django_db


@pytest.mark.django_db(transaction=True)
def test_train_now_without_a_broker_trains_in_the_background(staff_client):
    planted_catalog()
    response = staff_client.post(reverse("admin:recommender_modelversion_train_now"))
    assert response.status_code == 302

    # Tasks run in-process here (no broker): the training goes on in a thread of
    # this process after the page has answered.
    wait_until(lambda: ModelVersion.objects.filter(is_serving=True).exists(), timeout=60)
    version = ModelVersion.objects.get()
    page = staff_client.get(reverse("admin:recommender_modelversion_changelist"))
    body = page.content.decode()
    assert version.name in body
    assert "Training queued" in body
    assert version.notes.startswith("Passed the quality gate")


def test_train_now_while_a_training_runs_says_so(staff_client, django_capture_on_commit_callbacks):
    planted_catalog()
    with (
        one_training_at_a_time(),
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        response = staff_client.post(
            reverse("admin:recommender_modelversion_train_now"), follow=True
        )
    assert "A training is already running" in response.content.decode()
    assert "Training queued" not in response.content.decode()
    assert not callbacks and not ModelVersion.objects.exists()


@pytest.fixture
def viewer_client(client, django_user_model):
    """Staff who may look at model versions but not change them."""
    viewer = django_user_model.objects.create_user("viewer", "viewer@example.com", "pw")
    viewer.is_staff = True
    viewer.save()
    viewer.user_permissions.add(Permission.objects.get(codename="view_modelversion"))
    client.force_login(viewer)
    return client


@pytest.fixture
def refused_version():
    """A version the quality gate refused, while the first one keeps serving."""
    planted_catalog()
    serving = train_and_publish().version
    serving.metrics = {**serving.metrics, "ndcg": 0.999}
    serving.save()
    refused = train_and_publish(force=True).version
    assert refused.status == ModelVersion.Status.REJECTED
    return refused


def test_train_now_answers_before_training_runs(staff_client, django_capture_on_commit_callbacks):
    planted_catalog()
    with django_capture_on_commit_callbacks() as queued:
        response = staff_client.post(reverse("admin:recommender_modelversion_train_now"))
    assert response.status_code == 302
    assert not ModelVersion.objects.exists()
    assert len(queued) == 1

    assert queued[0] is queue_retraining


def test_train_now_needs_the_change_permission(viewer_client, django_capture_on_commit_callbacks):
    planted_catalog()
    page = viewer_client.get(reverse("admin:recommender_modelversion_changelist"))
    assert page.status_code == 200
    assert "Train now" not in page.content.decode()

    with django_capture_on_commit_callbacks() as queued:
        response = viewer_client.post(
            reverse("admin:recommender_modelversion_train_now"), follow=True
        )
    assert queued == []
    assert "You may not train the recommender." in response.content.decode()


def test_staff_publish_a_refused_version_after_confirming(staff_client, refused_version):
    url = reverse("admin:recommender_modelversion_publish", args=[refused_version.pk])
    changelist = staff_client.get(reverse("admin:recommender_modelversion_changelist"))
    assert url in changelist.content.decode()

    confirmation = staff_client.get(url)
    assert confirmation.status_code == 200
    assert f"Yes, publish {refused_version.name}" in confirmation.content.decode()
    refused_version.refresh_from_db()
    assert not refused_version.is_serving

    response = staff_client.post(url)

    assert response.status_code == 302
    refused_version.refresh_from_db()
    assert refused_version.is_serving
    assert refused_version.published_by.username == "curator"
    assert "Published by curator (it was rejected (quality fell))." in refused_version.notes
    assert ModelVersion.objects.filter(is_serving=True).get() == refused_version
    entry = LogEntry.objects.get(object_id=str(refused_version.pk))
    assert entry.change_message == "Published by hand; it was rejected (quality fell)."


def test_publishing_by_hand_needs_the_change_permission(viewer_client, refused_version):
    url = reverse("admin:recommender_modelversion_publish", args=[refused_version.pk])
    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url).status_code == 403
    refused_version.refresh_from_db()
    assert not refused_version.is_serving


def test_the_serving_version_is_not_published_again(staff_client):
    planted_catalog()
    serving = train_and_publish().version
    url = reverse("admin:recommender_modelversion_publish", args=[serving.pk])
    response = staff_client.post(url, follow=True)
    assert "cannot be published" in response.content.decode()
    assert not LogEntry.objects.exists()


def test_train_now_needs_post_and_staff(staff_client, client):
    url = reverse("admin:recommender_modelversion_train_now")
    assert staff_client.get(url).status_code == 405
    staff_client.logout()
    response = client.post(url)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not ModelVersion.objects.exists()


def test_default_schedules_exist_and_are_editable(staff_client):
    from django_celery_beat.models import PeriodicTask

    tasks = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {
        "recommender.tasks.retrain_recommender",
        "catalog.tasks.sync_tmdb_backfill",
        "catalog.tasks.sync_tmdb_changes",
    } <= tasks
    page = staff_client.get(reverse("admin:django_celery_beat_periodictask_changelist"))
    assert "Retrain the recommender (nightly)" in page.content.decode()
