"""Helpers for requests that every app shares."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request, target, default=""):
    """``target`` if it leads back into this site (over HTTPS when the request came so)."""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default
