"""A client whose every request is in Chinese, without the web app's language negotiation."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from permed_atlas.i18n import use_language


class _InChinese:
    def __init__(self, app: Any) -> None:
        self.app = app
        self.state = app.state

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        with use_language("zh"):
            await self.app(scope, receive, send)


@pytest.fixture
def zh_client(app):  # type: ignore[no-untyped-def]
    with TestClient(_InChinese(app)) as client:
        yield client
