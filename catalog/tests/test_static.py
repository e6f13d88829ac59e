"""Static files ship fingerprinted (cacheable for a year) and pre-compressed."""

from django.core.management import call_command
from django.templatetags.static import static
from django.test import Client

PRODUCTION_STORAGE = "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_collected_static_files_are_fingerprinted_and_compressed(settings, tmp_path, db):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": PRODUCTION_STORAGE}}
    call_command("collectstatic", "--no-input", verbosity=0)

    for original in ("css/site.css", "js/site.js"):
        folder, name = original.split("/")
        stem, suffix = name.split(".")
        hashed = list((tmp_path / folder).glob(f"{stem}.*.{suffix}"))
        assert len(hashed) == 1, hashed
        assert (tmp_path / folder / f"{hashed[0].name}.gz").stat().st_size > 0
        assert (tmp_path / folder / f"{hashed[0].name}.br").stat().st_size > 0
        assert static(original) == f"/static/{folder}/{hashed[0].name}"

    page = Client().get("/about/").content.decode()
    assert static("css/site.css") in page and static("js/site.js") in page
