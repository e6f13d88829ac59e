"""Sessions tied to their member now belong to the accounts app (its 0001 takes them over)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("ratings", "0006_member_session"),
        ("accounts", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="MemberSession")],
            database_operations=[],
        ),
    ]
