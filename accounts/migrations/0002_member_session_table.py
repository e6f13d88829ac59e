from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("ratings", "0007_member_session_to_accounts"),
    ]

    operations = [
        migrations.AlterModelTable(name="membersession", table=None),
    ]
