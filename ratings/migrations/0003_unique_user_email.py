"""One account per email address, whatever its case (empty emails are exempt).

The index now belongs to the accounts app (accounts 0001 creates it if this
did not); on databases migrated before the move, this created it.
"""

from django.conf import settings
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0002_listentry_rating"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = []
