from django.db import migrations, models

from catalog.text import normalize


def fill_search_text(apps, schema_editor):
    """Normalized studio names for search, as ``save()`` and the TMDB sync write them."""
    Company = apps.get_model("catalog", "Company")
    for company in Company.objects.only("pk", "name").iterator():
        Company.objects.filter(pk=company.pk).update(search_text=normalize(company.name)[:200])


def create_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS company_search_trgm_idx ON catalog_company "
            "USING gin (search_text gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS company_search_trgm_idx")


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0011_movie_companies"),
    ]

    operations = [
        migrations.AddField(
            model_name="company",
            name="search_text",
            field=models.CharField(default="", editable=False, max_length=200),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop),
        migrations.RunPython(create_trigram_index, drop_trigram_index),
    ]
