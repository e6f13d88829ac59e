"""Response headers the site adds itself (CSP and Permissions-Policy come from libraries)."""

from django.utils.cache import patch_cache_control


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
