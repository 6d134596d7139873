"""A client whose browser asks for Chinese: every request goes through the web app's own
language negotiation (Accept-Language), as a reader's would."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def zh_client(app):  # type: ignore[no-untyped-def]
    with TestClient(app, headers={"Accept-Language": "zh-CN,zh;q=0.9"}) as client:
        yield client
