"""The request rate and connection limits every TMDB request passes through.

TMDB allows about 40–50 requests per second and 20 connections per IP, counted
over all our workers together, so the limits live where every worker sees them:
Redis (``REDIS_URL``). Without Redis (zero-setup development, tasks in-process)
the same limits are kept inside the process, which is then the only client.

- The rate is a token bucket (``TMDB_RATE_LIMIT`` tokens per second, a burst of a
  tenth of a second's worth). Each request *reserves* the next token in one
  atomic Lua call and sleeps until its turn, so waiting workers are served in
  order and the rate holds exactly, with one Redis round trip per request.
- Connections are a semaphore of leases in a Redis sorted set. A lease outlives
  any request (connect + read timeout) and then expires, so a worker killed while
  holding one cannot shrink the pool for good. Per-process pool limits could not
  do this: the number of worker processes (and hosts) is not known in advance.
"""

import logging
import os
import threading
import time
import uuid
from contextlib import contextmanager

from django.conf import settings

logger = logging.getLogger(__name__)

MAX_CONNECTIONS = 20
BURST_SECONDS = 0.1
LEASE_SECONDS = 30  # longer than the client's connect + read timeout
SLOT_POLL_SECONDS = 0.01
KEY_PREFIX = "nextfilms:tmdb"

# Reserve the next token: returns the seconds to wait before using it (0: now).
# The bucket may go into debt; the debt is the queue of callers already waiting.
BUCKET_RESERVE_SCRIPT = """
local rate = tonumber(ARGV[1])
local capacity = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
local tokens = tonumber(redis.call('HGET', KEYS[1], 'tokens'))
local stamp = tonumber(redis.call('HGET', KEYS[1], 'stamp'))
if tokens == nil or stamp == nil then
  tokens = capacity
  stamp = now
end
tokens = math.min(capacity, tokens + math.max(0, now - stamp) * rate) - 1
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'stamp', tostring(now))
redis.call('PEXPIRE', KEYS[1], math.ceil(((capacity - tokens) / rate + 1) * 1000))
if tokens >= 0 then
  return '0'
end
return tostring(-tokens / rate)
"""

# Take a connection lease if fewer than ARGV[1] are live; 1 if taken, else 0.
ACQUIRE_LEASE_SCRIPT = """
local limit = tonumber(ARGV[1])
local lease = tonumber(ARGV[3])
local clock = redis.call('TIME')
local now = tonumber(clock[1]) + tonumber(clock[2]) / 1000000
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - lease)
if redis.call('ZCARD', KEYS[1]) < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[2])
  redis.call('EXPIRE', KEYS[1], math.ceil(lease * 2))
  return 1
end
return 0
"""


def burst_for(rate):
    return max(1.0, rate * BURST_SECONDS)


class LocalRateLimit:
    """The token bucket inside one process, shared by its threads."""

    def __init__(self, rate, burst=None):
        self.rate = float(rate)
        self.capacity = burst or burst_for(self.rate)
        self._tokens = self.capacity
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def reserve(self):
        with self._lock:
            now = time.monotonic()
            elapsed = max(0.0, now - self._stamp)
            self._tokens = min(self.capacity, self._tokens + elapsed * self.rate) - 1
            self._stamp = now
            return max(0.0, -self._tokens / self.rate)


class RedisRateLimit:
    """The token bucket in Redis, shared by every process that uses the same key."""

    def __init__(self, redis_client, rate, burst=None, key=f"{KEY_PREFIX}:bucket"):
        self.rate = float(rate)
        self.capacity = burst or burst_for(self.rate)
        self.key = key
        self._reserve = redis_client.register_script(BUCKET_RESERVE_SCRIPT)

    def reserve(self):
        return float(self._reserve(keys=[self.key], args=[self.rate, self.capacity]))


class LocalConnectionLimit:
    def __init__(self, limit=MAX_CONNECTIONS):
        self._semaphore = threading.BoundedSemaphore(limit)

    @contextmanager
    def hold(self):
        with self._semaphore:
            yield


class RedisConnectionLimit:
    """At most ``limit`` leases live at once across every process."""

    def __init__(
        self,
        redis_client,
        limit=MAX_CONNECTIONS,
        lease_seconds=LEASE_SECONDS,
        key=f"{KEY_PREFIX}:connections",
    ):
        self.redis = redis_client
        self.limit = limit
        self.lease_seconds = lease_seconds
        self.key = key
        self._acquire = redis_client.register_script(ACQUIRE_LEASE_SCRIPT)

    @contextmanager
    def hold(self):
        holder = uuid.uuid4().hex
        while not self._acquire(keys=[self.key], args=[self.limit, holder, self.lease_seconds]):
            time.sleep(SLOT_POLL_SECONDS)
        try:
            yield
        finally:
            self.redis.zrem(self.key, holder)


class RequestGate:
    """A request waits for its token, then holds a connection slot while it runs."""

    def __init__(self, rate_limit, connection_limit, sleep=time.sleep):
        self.rate_limit = rate_limit
        self.connection_limit = connection_limit
        self.sleep = sleep

    @contextmanager
    def request_slot(self):
        # The token first: a request waiting for its turn holds no connection.
        wait = self.rate_limit.reserve()
        if wait > 0:
            self.sleep(wait)
        with self.connection_limit.hold():
            yield


def redis_gate(redis_url, rate, *, key_prefix=KEY_PREFIX, max_connections=MAX_CONNECTIONS):
    import redis

    client = redis.Redis.from_url(redis_url)
    return RequestGate(
        RedisRateLimit(client, rate, key=f"{key_prefix}:bucket"),
        RedisConnectionLimit(client, max_connections, key=f"{key_prefix}:connections"),
    )


def local_gate(rate, *, max_connections=MAX_CONNECTIONS):
    return RequestGate(LocalRateLimit(rate), LocalConnectionLimit(max_connections))


_gates = {}
_gates_lock = threading.Lock()


def default_gate():
    """The gate for the configured rate: in Redis when ``REDIS_URL`` is set.

    One per process (and per configuration); a fork gets its own Redis connection.
    """
    key = (os.getpid(), settings.REDIS_URL, settings.TMDB_RATE_LIMIT)
    with _gates_lock:
        if key not in _gates:
            if settings.REDIS_URL:
                _gates[key] = redis_gate(settings.REDIS_URL, settings.TMDB_RATE_LIMIT)
            else:
                if settings.CELERY_BROKER_URL:
                    logger.warning(
                        "REDIS_URL is not set: each worker process keeps its own TMDB rate "
                        "limit of %s req/s, so together they may exceed it.",
                        settings.TMDB_RATE_LIMIT,
                    )
                _gates[key] = local_gate(settings.TMDB_RATE_LIMIT)
        return _gates[key]
