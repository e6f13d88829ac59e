from django.apps import AppConfig


class NextFilmsConfig(AppConfig):
    """The project itself, as an app: it registers the site-wide system checks."""

    name = "nextfilms"
    verbose_name = "NextFilms"

    def ready(self):
        from nextfilms import checks  # noqa: F401  (registers them)
