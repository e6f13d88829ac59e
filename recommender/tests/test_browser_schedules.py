"""Staff edit the retraining schedule in the admin, under the site's CSP."""

import pytest
from django_celery_beat.models import CrontabSchedule
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_choosing_a_crontab_says_when_it_runs(page, django_user_model):
    django_user_model.objects.create_superuser("staff", "staff@example.com", "staff pass 3")
    nightly = CrontabSchedule.objects.create(minute="30", hour="3")
    page.goto("/admin/login/")
    page.get_by_label("Username").fill("staff")
    page.get_by_label("Password").fill("staff pass 3")
    page.get_by_role("button", name="Log in").click()

    page.goto("/admin/django_celery_beat/periodictask/add/")
    page.locator("#id_crontab").select_option(str(nightly.pk))

    expect(page.locator(".field-crontab .help")).to_contain_text(
        f"Translation: {nightly.human_readable}"
    )
    expect(page.locator(".field-crontab_translation")).to_be_hidden()
