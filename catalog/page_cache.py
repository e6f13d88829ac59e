"""Whole-page caching of the catalog pages for visitors who are not logged in.

A visitor's Discover, Browse, search and film pages are the same for every
visitor, so the rendered HTML is kept in the cache (Redis when ``REDIS_URL``
or ``CACHE_URL`` points at it, shared by every worker) and served without
touching the database. Members always get a fresh page: theirs carry their own ratings,
lists and a CSRF token.

Every cached page is keyed by a *catalog generation*. Anything that changes
what these pages show (a staff edit in the admin, a MovieLens import, TMDB
metadata arriving, a newly published model) calls :func:`catalog_changed`,
which starts a new generation, so no visitor sees a film a curator has just
hidden. ``ANONYMOUS_PAGE_CACHE_SECONDS`` bounds how long a page lives even if a
change slips past (a per-process cache in a multi-worker deployment, say).
"""

import hashlib
import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.utils.cache import cc_delim_re

GENERATION_KEY = "catalog:generation"
_NOT_SHARED = {"private", "no-cache", "no-store"}


def catalog_generation():
    generation = cache.get(GENERATION_KEY)
    if generation is None:
        cache.add(GENERATION_KEY, time.time_ns(), None)
        generation = cache.get(GENERATION_KEY)
    return generation


def catalog_changed(**_signal_kwargs):
    """Start a new generation now, and again when the current transaction commits.

    Every page cached before then is ignored (and expires). The second start
    catches a page rendered from the old data while the change was not yet
    committed, which the first would otherwise have cached as new.
    """
    _new_generation()
    transaction.on_commit(_new_generation)


def _new_generation():
    cache.set(GENERATION_KEY, time.time_ns(), None)


def forget_page(path):
    """Drop one page (a film page whose TMDB details just arrived) from the cache."""
    cache.delete(_page_key(path))
    transaction.on_commit(lambda: cache.delete(_page_key(path)))


def _page_key(path):
    digest = hashlib.sha256(path.encode()).hexdigest()
    return f"page:{catalog_generation()}:{digest}"


def _cacheable_request(request):
    return (
        request.method == "GET"
        and not request.user.is_authenticated
        # A pending message ("You have been logged out") belongs to one visitor's page.
        and not len(messages.get_messages(request))
    )


def _cacheable_response(request, response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # The view said the page must not be reused (a film whose details are being fetched).
        and not _NOT_SHARED & set(cc_delim_re.split(response.get("Cache-Control", "").lower()))
        # A page that rendered a CSRF token is tied to this visitor's cookie.
        and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")
    )


def cache_for_visitors(view):
    """Serve ``view`` from the cache to visitors; members get it rendered as usual."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        timeout = settings.ANONYMOUS_PAGE_CACHE_SECONDS
        if not timeout or not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = _page_key(request.get_full_path())
        cached = cache.get(key)
        if cached is not None:
            content, content_type = cached
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if _cacheable_response(request, response):
            cache.set(key, (response.content, response["Content-Type"]), timeout)
            response["X-Page-Cache"] = "miss"
        return response

    return wrapper
