"""Where TMDB's images live, for pages: read from the cached configuration, never the network.

Kept apart from the HTTP client: models and templates need the URL, not the client.
"""

import time

from django.core.cache import cache

DEFAULT_IMAGE_BASE = "https://image.tmdb.org/t/p/"
CONFIGURATION_CACHE_KEY = "tmdb:configuration"
IMAGE_BASE_MEMO_SECONDS = 60 * 60


_image_base = {"url": DEFAULT_IMAGE_BASE, "expires": 0.0}


def image_base_url():
    """``images.secure_base_url`` from the cached configuration, else TMDB's usual one.

    Read from the cache only (never the network, pages call this per poster) and
    remembered in the process for an hour, so a list page costs no cache trips.
    """
    now = time.monotonic()
    if now >= _image_base["expires"]:
        configuration = cache.get(CONFIGURATION_CACHE_KEY) or {}
        images = configuration.get("images") or {}
        _image_base["url"] = images.get("secure_base_url") or DEFAULT_IMAGE_BASE
        _image_base["expires"] = now + IMAGE_BASE_MEMO_SECONDS
    return _image_base["url"]
