"""One account per email address, whatever its case (empty emails are exempt)."""

from django.conf import settings
from django.db import migrations

INDEX = "auth_user_email_unique_ci"


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0002_listentry_rating"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunSQL(
            f"CREATE UNIQUE INDEX {INDEX} ON auth_user (LOWER(email)) WHERE email <> ''",
            f"DROP INDEX {INDEX}",
        )
    ]
