"""The shared cache on Redis, degrading to "nothing cached" when Redis does not answer.

Nothing Caseload keeps in the cache is needed to serve a page (sessions and sign-in lockouts
are in the database), so when Redis is down or slow a read is a miss and a write is dropped,
with a WARNING in the log (at most once a minute per process), instead of a 500. Connections
and commands time out after ``REDIS_TIMEOUT`` seconds, so a Redis that hangs costs a request
at most that.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger("caseload.cache")
_UNAVAILABLE = (RedisConnectionError, RedisTimeoutError)
_WARN_EVERY = 60.0
_last_warning = 0.0


def _degraded(operation: str, error: Exception) -> None:
    global _last_warning
    now = time.monotonic()
    if now - _last_warning >= _WARN_EVERY:
        _last_warning = now
        logger.warning(
            "Redis cache unavailable (%s: %s): serving without the cache", operation, error
        )


class DegradingRedisCacheClient(RedisCacheClient):
    def add(self, key: Any, value: Any, timeout: Any) -> bool:
        try:
            return bool(super().add(key, value, timeout))
        except _UNAVAILABLE as error:
            _degraded("add", error)
            return False

    def get(self, key: Any, default: Any) -> Any:
        try:
            return super().get(key, default)
        except _UNAVAILABLE as error:
            _degraded("get", error)
            return default

    def set(self, key: Any, value: Any, timeout: Any) -> None:
        try:
            super().set(key, value, timeout)
        except _UNAVAILABLE as error:
            _degraded("set", error)

    def touch(self, key: Any, timeout: Any) -> bool:
        try:
            return bool(super().touch(key, timeout))
        except _UNAVAILABLE as error:
            _degraded("touch", error)
            return False

    def delete(self, key: Any) -> bool:
        try:
            return bool(super().delete(key))
        except _UNAVAILABLE as error:
            _degraded("delete", error)
            return False

    def get_many(self, keys: Any) -> dict[Any, Any]:
        try:
            return dict(super().get_many(keys))
        except _UNAVAILABLE as error:
            _degraded("get_many", error)
            return {}

    def has_key(self, key: Any) -> bool:
        try:
            return bool(super().has_key(key))
        except _UNAVAILABLE as error:
            _degraded("has_key", error)
            return False

    def incr(self, key: Any, delta: int) -> Any:
        try:
            return super().incr(key, delta)
        except _UNAVAILABLE as error:
            _degraded("incr", error)
            raise ValueError(f"Key '{key}' not found (the cache is unavailable)") from error

    def set_many(self, data: Any, timeout: Any) -> None:
        try:
            super().set_many(data, timeout)
        except _UNAVAILABLE as error:
            _degraded("set_many", error)

    def delete_many(self, keys: Any) -> None:
        try:
            super().delete_many(keys)
        except _UNAVAILABLE as error:
            _degraded("delete_many", error)

    def clear(self) -> bool:
        try:
            return bool(super().clear())
        except _UNAVAILABLE as error:
            _degraded("clear", error)
            return False


class DegradingRedisCache(RedisCache):
    def __init__(self, server: Any, params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = DegradingRedisCacheClient
