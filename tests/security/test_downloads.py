"""Review round 2: a download's file name, built from what an editor typed, cannot break
its Content-Disposition header.

Before: ``attachment()`` put the name between quotes as it was. A pillar coded
``a"; filename*=UTF-8''evil.exe`` made every coordinator's browser save the invitation list
as ``evil.exe``; a line break in it ended the header (response splitting); a Chinese pillar
code (支柱) raised UnicodeEncodeError after the invitations had been issued and committed, so
the links, shown only once, were lost.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from tests.delphi.factories import make_open_study

from permed_atlas.db import session_factory
from permed_atlas.delphi.store import list_rounds, list_surveys
from permed_atlas.web.deps import attachment

NAMES = [
    "支柱",
    "a\"; filename*=UTF-8''evil.exe",
    "a\r\nSet-Cookie: stolen=1",
    "..\\..\\windows\\evil",
    "\u202egpj.exe",  # right-to-left override: shows as "exe.jpg"
]


_PARAMETER = re.compile(r';\s*([\w*]+)=("[^"]*"|[^;]*)')


def _parameters(header: str) -> dict[str, str]:
    """The header's parameters as a browser reads them (a quote ends a quoted value)."""
    assert header.startswith("attachment;"), header
    found = [(key, value.strip('"')) for key, value in _PARAMETER.findall(header)]
    assert len(found) == len({key for key, _ in found}), header  # none given twice
    return dict(found)


def _saved_as(header: str) -> str:
    """The name a browser saves under: ``filename*`` wins over ``filename`` (RFC 6266)."""
    params = _parameters(header)
    assert set(params) == {"filename", "filename*"}, header
    return unquote(params["filename*"].removeprefix("UTF-8''"))


@pytest.mark.parametrize("name", NAMES)
def test_attachment_keeps_one_safe_name(name: str) -> None:
    header = attachment(f"invitations-{name}-round1.csv")["Content-Disposition"]
    header.encode("latin-1")  # Starlette's encoding: no character beyond it
    assert not any(c in header for c in "\r\n\x00")
    assert header.count("filename=") == 1 and header.count("filename*=") == 1
    plain = _parameters(header)["filename"]
    assert all(c.isascii() and (c.isalnum() or c in "._-") for c in plain), plain
    expected = "".join(c for c in f"invitations-{name}-round1.csv" if c.isprintable())
    assert _saved_as(header) == expected


def test_an_invitation_list_of_any_pillar_downloads(
    client: TestClient, engine, make_user, login
) -> None:  # type: ignore[no-untyped-def]
    make_user("ed@example.org", "editor")
    login(client, "ed@example.org")
    with session_factory(engine)() as session:
        study = make_open_study(session, n_experts=3, n_items=1).study
        session.commit()
    for name in NAMES[:3]:
        added = client.post(
            f"/delphi/studies/{study.id}/pillars", data={"pillar": name, "title": "T"}
        )
        assert added.status_code == 200
    with session_factory(engine)() as session:
        rounds = [list_rounds(session, s.id)[0].id for s in list_surveys(session, study.id)[1:]]
    for round_id in rounds:
        client.post(f"/delphi/rounds/{round_id}/items", data={"code": "X1", "statement": "s"})
        client.post(f"/delphi/rounds/{round_id}/open")
        response = client.post(f"/delphi/rounds/{round_id}/invitations", data={"days": "30"})
        assert response.status_code == 200
        saved_as = _saved_as(response.headers["content-disposition"])
        assert saved_as.startswith("invitations-") and saved_as.endswith("-round1.csv")
        assert "set-cookie" not in response.headers
