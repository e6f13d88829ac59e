"""Apps plug into catalog pages through catalog.extensions, once each."""

from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory

from catalog import extensions


def test_a_page_extra_registered_again_is_called_once(monkeypatch):
    # ready() runs again when a test changes INSTALLED_APPS; providers must not pile up.
    monkeypatch.setattr(extensions, "_page_extras", {})
    calls = []

    def provider(request, **objects):
        calls.append(objects)
        return {"seen": True}

    extensions.register_page_extras("home", provider)
    extensions.register_page_extras("home", provider)
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    assert extensions.page_extras("home", request) == {"seen": True}
    assert len(calls) == 1
