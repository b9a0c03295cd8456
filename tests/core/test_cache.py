"""The Redis cache degrades to misses when Redis does not answer (caseload/core/cache.py)."""

from __future__ import annotations

import logging

import pytest

from caseload.core import cache as cache_module
from caseload.core.cache import DegradingRedisCache
from tests.process_support import free_port


def test_without_redis_reads_miss_writes_drop_and_the_log_says_so(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module, "_last_warning", 0.0)
    nowhere = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there
    cache = DegradingRedisCache(nowhere, {"OPTIONS": {"socket_connect_timeout": 0.2}})
    with caplog.at_level(logging.WARNING, logger="caseload.cache"):
        cache.set("key", "value", 60)
        assert cache.get("key", "miss") == "miss"
        assert cache.add("key", "value") is False
        assert cache.get_many(["key", "other"]) == {}
        assert cache.has_key("key") is False
        assert cache.delete("key") is False
        cache.set_many({"a": 1})
        cache.delete_many(["a"])
        with pytest.raises(ValueError, match="not found"):
            cache.incr("counter")
    warnings = [r for r in caplog.records if r.name == "caseload.cache"]
    assert len(warnings) == 1  # once a minute, not once a call
    assert "Redis cache unavailable" in warnings[0].getMessage()
