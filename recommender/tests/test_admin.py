"""Staff see model versions and can train on demand from the admin."""

import pytest
from django.urls import reverse

from recommender.models import ModelVersion
from recommender.tests.factories import planted_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, django_user_model):
    staff = django_user_model.objects.create_superuser("curator", "curator@example.com", "pw")
    client.force_login(staff)
    return client


def test_train_now_queues_a_forced_training(staff_client, django_capture_on_commit_callbacks):
    planted_catalog()
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(reverse("admin:recommender_modelversion_train_now"))
    assert response.status_code == 302
    version = ModelVersion.objects.get()
    assert version.is_serving

    page = staff_client.get(reverse("admin:recommender_modelversion_changelist"))
    body = page.content.decode()
    assert version.name in body
    assert "Train now" in body
    assert "Training queued" in body


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
