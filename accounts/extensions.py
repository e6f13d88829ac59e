"""Where apps built on accounts add sections to the settings page.

Accounts sits low (on catalog and ratings); an app above it (the API's
tokens) registers a panel here from its ``AppConfig.ready()`` instead of
accounts importing it.
"""

_settings_panels = []


def register_settings_panel(provider):
    """``provider(request)`` returns ``{"template": name, ...context}`` for one panel, or None.

    Registering a provider twice (apps made ready again, as tests that change
    ``INSTALLED_APPS`` do) still shows its panel once.
    """
    if provider not in _settings_panels:
        _settings_panels.append(provider)


def settings_panels(request):
    """The extra panels of ``request.user``'s settings page, in registration order."""
    return [panel for provider in _settings_panels if (panel := provider(request))]
