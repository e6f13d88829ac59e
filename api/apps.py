from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "API"

    def ready(self):
        from accounts import extensions
        from api import schema  # noqa: F401  (the token scheme, described in the schema)
        from api.token_views import settings_panel

        extensions.register_settings_panel(settings_panel)
