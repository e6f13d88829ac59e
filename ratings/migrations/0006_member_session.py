"""Sessions tied to their member (ratings/sessions.py); open sessions are carried over."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models
from django.utils import timezone

BATCH = 1000


def carry_over_open_sessions(apps, schema_editor):
    """Members stay logged in across the switch of session engine."""
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    Session = apps.get_model("sessions", "Session")
    MemberSession = apps.get_model("ratings", "MemberSession")
    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    members = set(User.objects.values_list("pk", flat=True))
    decoder = SessionStore()
    batch = []
    for old in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        member = str(decoder.decode(old.session_data).get(SESSION_KEY, ""))
        user_id = int(member) if member.isdigit() and int(member) in members else None
        batch.append(
            MemberSession(
                session_key=old.session_key,
                session_data=old.session_data,
                expire_date=old.expire_date,
                user_id=user_id,
            )
        )
        if len(batch) == BATCH:
            MemberSession.objects.bulk_create(batch)
            batch = []
    MemberSession.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0005_community_figures"),
        ("sessions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MemberSession",
            fields=[
                (
                    "session_key",
                    models.CharField(
                        max_length=40, primary_key=True, serialize=False, verbose_name="session key"
                    ),
                ),
                ("session_data", models.TextField(verbose_name="session data")),
                ("expire_date", models.DateTimeField(db_index=True, verbose_name="expire date")),
                (
                    "user",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "session",
                "verbose_name_plural": "sessions",
                "abstract": False,
            },
        ),
        migrations.RunPython(carry_over_open_sessions, migrations.RunPython.noop),
    ]
