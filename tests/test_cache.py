"""The Redis cache production uses (``config.cache.RedisCache``): Django's, with one client
per connection pool. Against a real Redis when one is running (CI has one)."""

import os

import pytest
import redis

from config.cache import RedisCache
from tests.production import REDIS, redis_available

pytestmark = pytest.mark.skipif(not redis_available(), reason="Needs Redis at 127.0.0.1:6379.")


@pytest.fixture
def cache():
    url = f"{REDIS}/{8 + os.getpid() % 8}"
    redis.Redis.from_url(url).flushdb()
    yield RedisCache(url, {})
    redis.Redis.from_url(url).flushdb()


def test_one_client_serves_every_call(cache):
    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b") is client
    assert cache._cache.get_client("c", write=True) is client  # one server: one pool for both


def test_it_stores_what_the_fragments_and_the_sessions_ask_of_it(cache):
    cache.set("page", "<p>kept</p>", 60)
    assert cache.get("page") == "<p>kept</p>"
    assert cache.add("generation", 1, None)
    assert not cache.add("generation", 5, None)
    assert cache.incr("generation") == 2
    assert cache.get_many(["generation", "page", "missing"]) == {"generation": 2, "page": "<p>kept</p>"}
    cache.delete("page")
    assert cache.get("page") is None
