"""Default Celery beat schedules: nightly retraining, hourly TMDB backfill, daily changes.

Staff edit or disable them in the admin (Periodic tasks); this only creates
them when missing.
"""

from django.db import migrations

SCHEDULES = [
    # (name, task, crontab minute, hour)
    ("Retrain the recommender (nightly)", "recommender.tasks.retrain_recommender", "30", "3"),
    ("TMDB: fill in missing metadata (hourly)", "catalog.tasks.sync_tmdb_backfill", "5", "*"),
    ("TMDB: refresh changed films (daily)", "catalog.tasks.sync_tmdb_changes", "45", "4"),
]


def create_schedules(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    for name, task, minute, hour in SCHEDULES:
        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute=minute,
            hour=hour,
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone="UTC",
        )
        PeriodicTask.objects.get_or_create(name=name, defaults={"task": task, "crontab": crontab})


def remove_schedules(apps, schema_editor):
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    PeriodicTask.objects.filter(name__in=[name for name, *_ in SCHEDULES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("recommender", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedules, remove_schedules)]
