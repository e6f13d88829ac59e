"""Per-token request limits, counted in the shared cache (Redis in production).

Each token has its own budget (``API_RATE_LIMIT``); a member using the session
has one for their account, and visitors one per client address
(``API_VISITOR_RATE_LIMIT``). A fixed window counted with the cache's atomic
increment, so every web worker draws on the same count.
"""

import math
import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from accounts.limits import client_ip
from api.models import ApiToken

PERIODS = {"second": 1, "minute": 60, "hour": 60 * 60, "day": 24 * 60 * 60}


def parse_rate(rate):
    """``"120/minute"`` → ``(120, 60)`` (settings check the format at start-up)."""
    count, period = rate.split("/")
    return int(count), PERIODS[period]


def client_key(request):
    """Whose budget a request draws on: its token, else its member, else its address."""
    if isinstance(request.auth, ApiToken):
        return f"token:{request.auth.pk}"
    if request.user.is_authenticated:
        return f"member:{request.user.pk}"
    return f"client:{client_ip(request)}"


class RequestRateThrottle(BaseThrottle):
    def allow_request(self, request, view):
        rate = settings.API_RATE_LIMIT
        if not request.user.is_authenticated:
            rate = settings.API_VISITOR_RATE_LIMIT
        limit, period = parse_rate(rate)
        now = time.time()
        window = int(now // period)
        key = f"api-rate:{client_key(request)}:{window}"
        cache.add(key, 0, timeout=period + 1)
        try:
            count = cache.incr(key)
        except ValueError:  # the window's key expired between add and incr
            cache.add(key, 1, timeout=period + 1)
            count = 1
        self.limit, self.seconds_left = limit, (window + 1) * period - now
        return count <= limit

    def wait(self):
        return max(1, math.ceil(self.seconds_left))
