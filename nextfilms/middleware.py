"""Response headers the site adds itself (CSP and Permissions-Policy come from libraries)."""

from django.utils.cache import patch_cache_control

from catalog.page_cache import member_changed

SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


def private_for_members(get_response):
    """Members' pages carry their ratings, lists and CSRF token: no shared cache may keep them.

    Visitors' pages are left alone; their own whole-page cache (catalog/page_cache.py)
    stays as it is.
    """

    def middleware(request):
        response = get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True)
        return response

    return middleware


def member_pages_follow_writes(get_response):
    """After any request of a member's that may write, their cached pages are set aside.

    Whatever it changed (a rating, a list's order, an import, a setting, through
    a form, a script or the API), the next page they open is rendered afresh
    (``catalog.page_cache.cache_for_members``). Runs after the response, when
    the view's writes are committed; ``request.user`` is the member even when the
    API signed them in by token, or the request signed them in or out.
    """

    def middleware(request):
        response = get_response(request)
        if request.method not in SAFE_METHODS and request.user.is_authenticated:
            member_changed(request.user.pk, committed=True)
        return response

    return middleware
