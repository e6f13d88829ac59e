"""Whole-page caching: the catalog pages for visitors, and members' own pages for them.

A visitor's Discover, Browse, search and film pages are the same for every
visitor, so the rendered HTML is kept in the cache (Redis when ``REDIS_URL``
or ``CACHE_URL`` points at it, shared by every worker) and served without
touching the database. Members never get these: theirs carry their own
ratings, lists and a CSRF token.

Every cached page is keyed by a *catalog generation*. Anything that changes
what these pages show (a staff edit in the admin, a MovieLens import, TMDB
metadata arriving, a newly published model) calls :func:`catalog_changed`,
which starts a new generation, so no visitor sees a film a curator has just
hidden. ``ANONYMOUS_PAGE_CACHE_SECONDS`` bounds how long a page lives even if a
change slips past (a per-process cache in a multi-worker deployment, say).

A member's pages (For you, Discover, Browse, a film page) are theirs alone, so
:func:`cache_for_members` keeps each one for that member only, keyed by the
catalog generation, a TMDB-details version (:func:`forget_page`), the
member's *version*, today's date and their CSRF cookie. The version changes
whenever anything of theirs may have changed: after every request of theirs
that is not a read (``nextfilms.middleware``; rating, lists, diary, imports,
the API) and whenever a row with their ``user_id`` is saved or deleted one at
a time (``CatalogConfig.ready``: tasks, the admin, the shell). So the page
after a rating is rendered afresh, and reloading a page that nothing changed
costs a lookup, not the recommender. Other members' activity (the community
rating on a card) shows once the page expires (``MEMBER_PAGE_CACHE_SECONDS``).

A member's page carries a CSRF token. Every copy served gets a token masked
anew (the BREACH mitigation in docs/security.md): the page renders one token
(:func:`csrf_token_once`), which is kept as a placeholder and replaced by a
fresh ``get_token`` each time. A copy is served only to requests with the CSRF
cookie it was rendered for, and none is kept where that cookie is new or
rotated (log in).
"""

import hashlib
import time
import zlib
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.base_session import AbstractBaseSession
from django.core.cache import cache
from django.db import transaction
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.cache import cc_delim_re
from django.utils.functional import SimpleLazyObject

GENERATION_KEY = "catalog:generation"
MEMBER_VERSION_KEY = "page:member-version:{}"
# Changes with each film whose TMDB details arrive (members' cards show them).
DETAILS_KEY = "catalog:details-version"
_NOT_SHARED = {"private", "no-cache", "no-store"}
# Where a member's kept page had its CSRF token; never in a page sent out.
TOKEN_PLACEHOLDER = b"\x00csrf-token\x00"


def catalog_generation():
    return _stamp(GENERATION_KEY)


def _stamp(key, known=None):
    """The time stamp under ``key`` (``known`` if already read), made once if there is none.

    ``add`` then ``get``: two workers starting at once agree on the first one's stamp.
    """
    if known is not None:
        return known
    stamp = cache.get(key)
    if stamp is None:
        cache.add(key, time.time_ns(), None)
        stamp = cache.get(key)
    return stamp


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


def member_changed(user_id, committed=False):
    """Set aside every cached page of this member, now and when the transaction commits.

    ``committed``: the change is committed already (after a request), now is enough.
    """
    if user_id is None:
        return
    _new_member_version(user_id)
    if not committed:
        transaction.on_commit(lambda: _new_member_version(user_id))


def member_row_changed(sender, instance, **_signal_kwargs):
    """``post_save``/``post_delete`` receiver: a row that belongs to a member changed.

    Sessions and the admin's log are left out: neither shows on a member's
    pages (a session's CSRF cookie is in the key already).
    """
    if not isinstance(instance, AbstractBaseSession | LogEntry):
        member_changed(getattr(instance, "user_id", None))


def _new_member_version(user_id):
    cache.set(MEMBER_VERSION_KEY.format(user_id), time.time_ns(), None)


def forget_page(path):
    """Drop one page (a film page whose TMDB details just arrived) from the cache.

    Members' kept pages are all set aside too: any of them may hold the film's card.
    """
    _forget_page(path)
    transaction.on_commit(lambda: _forget_page(path))


def _forget_page(path):
    cache.delete(_page_key(path))
    cache.set(DETAILS_KEY, time.time_ns(), None)


def _page_key(path):
    digest = hashlib.sha256(path.encode()).hexdigest()
    return f"page:{catalog_generation()}:{digest}"


def _cacheable_request(request, member=False):
    return (
        request.method == "GET"
        and request.user.is_authenticated == member
        # A pending message ("Your ratings were imported") belongs to the next page alone.
        and not len(messages.get_messages(request))
    )


def _reusable(response):
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        # The view said the page must not be reused (a film whose details are being fetched).
        and not _NOT_SHARED & set(cc_delim_re.split(response.get("Cache-Control", "").lower()))
    )


def _cacheable_response(request, response):
    # A page that rendered a CSRF token is tied to this visitor's cookie.
    return _reusable(response) and not request.META.get("CSRF_COOKIE_NEEDS_UPDATE")


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


def _member_page_key(request):
    """The key of this member's page, or None where it must not be reused.

    The page holds a CSRF token masked from the cookie's secret; without the
    cookie the response sets a new one, and the token would not match it.
    """
    secret = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    if not secret:
        return None
    user_id = request.user.pk
    version_key = MEMBER_VERSION_KEY.format(user_id)
    # One round trip for the three stamps; a missing one is made as usual.
    found = cache.get_many([GENERATION_KEY, DETAILS_KEY, version_key])
    generation = _stamp(GENERATION_KEY, found.get(GENERATION_KEY))
    version = _stamp(version_key, found.get(version_key))
    digest = hashlib.sha256(f"{request.get_full_path()}\n{secret}".encode()).hexdigest()
    return (
        f"page:member:{generation}:{found.get(DETAILS_KEY, 0)}:{user_id}:{version}:"
        f"{timezone.localdate().isoformat()}:{digest}"
    )


def csrf_token_once(request):
    """Context processor: one masked CSRF token for everything a request renders.

    Django's own gives each template rendered its own mask; one per response
    lets :func:`cache_for_members` find the token in the page and mask it anew
    for each copy it serves.
    """
    return {"csrf_token": SimpleLazyObject(lambda: _page_token(request))}


def _page_token(request):
    if not hasattr(request, "_page_csrf_token"):
        request._page_csrf_token = get_token(request)
    return request._page_csrf_token


def cache_for_members(view):
    """Serve a member ``view`` from their own cached copy while nothing of theirs changed."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        timeout = settings.MEMBER_PAGE_CACHE_SECONDS
        if not timeout or not _cacheable_request(request, member=True):
            return view(request, *args, **kwargs)
        key = _member_page_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        cached = cache.get(key)
        if cached is not None:
            packed, content_type = cached
            content = zlib.decompress(packed)
            if TOKEN_PLACEHOLDER in content:
                content = content.replace(TOKEN_PLACEHOLDER, get_token(request).encode())
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "member-hit"
            return response
        response = view(request, *args, **kwargs)
        if _cacheable_member_response(request, response):
            content = response.content
            token = getattr(request, "_page_csrf_token", None)
            if token:
                content = content.replace(token.encode(), TOKEN_PLACEHOLDER)
            # A member's copy is theirs alone: kept small (about a seventh).
            cache.set(key, (zlib.compress(content, 1), response["Content-Type"]), timeout)
            response["X-Page-Cache"] = "member-miss"
        return response

    return wrapper


def _cacheable_member_response(request, response):
    # The token on the page is masked from the secret the request came with.
    return _reusable(response) and request.META.get("CSRF_COOKIE") == request.COOKIES.get(
        settings.CSRF_COOKIE_NAME
    )
