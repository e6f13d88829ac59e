"""The accounts app takes over what ratings kept for it, without touching the data.

The one-account-per-email index (created by ratings 0003 on older databases)
and the member sessions (ratings 0006) are only moved in Django's state here;
0002 then gives the sessions table its own app's name.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

EMAIL_INDEX = "auth_user_email_unique_ci"


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("ratings", "0006_member_session"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        # After auth's last change to its user table: SQLite rebuilds a table it
        # alters, which would drop the index below.
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        # One account per email address, whatever its case (empty emails are exempt).
        migrations.RunSQL(
            f"CREATE UNIQUE INDEX IF NOT EXISTS {EMAIL_INDEX} ON auth_user (LOWER(email)) "
            "WHERE email <> ''",
            f"DROP INDEX IF EXISTS {EMAIL_INDEX}",
        ),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="MemberSession",
                    fields=[
                        (
                            "session_key",
                            models.CharField(
                                max_length=40,
                                primary_key=True,
                                serialize=False,
                                verbose_name="session key",
                            ),
                        ),
                        ("session_data", models.TextField(verbose_name="session data")),
                        (
                            "expire_date",
                            models.DateTimeField(db_index=True, verbose_name="expire date"),
                        ),
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
                        "db_table": "ratings_membersession",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
