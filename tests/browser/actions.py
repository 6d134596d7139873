"""Browser steps shared by the tests: a form post that waits for the page it brings back."""

from __future__ import annotations

from typing import Any


def submit(page: Any, control: Any) -> None:
    """Click ``control``, which posts a form, and wait for the answer's page to load.

    A click returns once the navigation has started; the next fill, click or read could
    still land on the page being replaced (a lost expert or item under two xdist workers).
    Reading the new page's own element is enough where it has one; this is for the pages
    that come back looking like the one they replace.
    """
    with page.expect_navigation():
        control.click()
