"""Limits on log-in, sign-up and password-reset attempts, counted in the shared cache.

django-axes counts log-in failures (the ``AXES_*`` settings) and calls two
functions here to name what it counts:

- the *account*: whichever name or address was typed (``alice``,
  ``ALICE@example.com``, a look-alike the database matches to the same
  address) counts against the account it reaches, so switching between them
  gives no fresh tries;
- the *client address*: behind a proxy every request comes from the proxy, so
  the address is read from the header the proxy writes (``TRUSTED_PROXY_HEADER``).

Sign-ups and password-reset emails are counted per hour by
:func:`over_hourly_limit`, per client address and, for resets, per address
the email would go to.
"""

import hashlib
import ipaddress
import unicodedata

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache

HOUR = 60 * 60


def account_named(name):
    """The account a log-in name reaches: by email address first, then by username."""
    users = get_user_model()._default_manager
    if "@" in name:
        match = users.filter(email__iexact=name).order_by("pk").first()
        if match is not None:
            return match
    return (
        users.filter(username=name).first()
        or users.filter(username__iexact=name).order_by("pk").first()
    )


def account_key(request, credentials=None):
    """The name axes counts failures under (``AXES_USERNAME_CALLABLE``).

    The account's own username when the typed name reaches an account; any
    other name is folded (case, compatibility forms) so its variants share one.
    """
    typed = (credentials or {}).get("username")
    if typed is None and request is not None:
        typed = request.POST.get("username")
    typed = (typed or "").strip()
    account = account_named(typed) if typed else None
    if account is not None:
        return account.get_username()
    return unicodedata.normalize("NFKC", typed).casefold()


def client_ip(request):
    """The client's address (``AXES_CLIENT_IP_CALLABLE``).

    With ``TRUSTED_PROXY_HEADER`` set (e.g. ``X-Forwarded-For``), the address
    ``TRUSTED_PROXY_COUNT`` places from the right of that header: the one our
    own proxy wrote, not anything the client sent before it.
    """
    header = settings.TRUSTED_PROXY_HEADER
    if header:
        meta_key = "HTTP_" + header.upper().replace("-", "_")
        hops = [hop.strip() for hop in request.META.get(meta_key, "").split(",") if hop.strip()]
        if len(hops) >= settings.TRUSTED_PROXY_COUNT:
            try:
                return str(ipaddress.ip_address(hops[-settings.TRUSTED_PROXY_COUNT]))
            except ValueError:
                pass
    return request.META.get("REMOTE_ADDR", "")


def over_hourly_limit(action, who, limit):
    """Count one ``action`` by ``who``; True once there have been more than ``limit`` this hour.

    The hour starts with the first count (a fixed window, so waiting always
    helps); refused attempts count too.
    """
    key = f"limit:{action}:{hashlib.sha256(who.encode()).hexdigest()}"
    if cache.add(key, 1, HOUR):
        return limit < 1
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired since add()
        cache.add(key, 1, HOUR)
        return limit < 1
