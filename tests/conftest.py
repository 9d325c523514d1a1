"""Fixtures for every kind of test: the machine's Redis, when TEST_REDIS_URL points at one."""

from __future__ import annotations

import os
import uuid

import pytest

REDIS_ENV = "TEST_REDIS_URL"


@pytest.fixture
def redis_url() -> str:
    """The TEST_REDIS_URL server (tests needing it are skipped, saying why, without it)."""
    url = os.environ.get(REDIS_ENV)
    if not url:
        pytest.skip(f"{REDIS_ENV} not set")
    return url


@pytest.fixture
def redis_prefix() -> str:
    """Keys and channels of this test alone: concurrent runs share the machine's Redis."""
    return f"test-{os.getpid()}-{uuid.uuid4().hex[:12]}"
