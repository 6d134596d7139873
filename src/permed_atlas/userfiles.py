"""Reading a file someone hands to an import: its UTF-8 text, and YAML that keeps every key.

Every import (CLI commands, uploads) reads files written elsewhere, often by a
spreadsheet or an editor set to another encoding. Two failures would otherwise pass
unnoticed or end in a traceback:

* a file that is not UTF-8, or a path that is a folder, raised Python's own error
  from deep inside the reader; :func:`read_text_file` turns every way of failing into
  the caller's error, naming the line of the first byte that is not UTF-8;
* PyYAML keeps the last of two equal keys in a mapping and drops the first without a
  word (``sex: {W: female, W: male}`` silently changes what ``W`` means), so a typo
  loses data; :func:`load_yaml` refuses the document instead, naming the line of the
  repeated key, through the YAML error every reader already reports.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from permed_atlas.i18n import Message

__all__ = ["load_yaml", "read_text_file"]

# libyaml's parser is ten times faster than the pure-Python one; both are "safe".
_BASE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _UniqueKeyLoader(_BASE_LOADER):  # type: ignore[misc]
    """The safe loader, refusing a mapping that names one key twice."""

    def construct_mapping(self, node: Any, deep: bool = False) -> Any:
        if isinstance(node, yaml.MappingNode):
            seen: set[Hashable] = set()
            for key_node, _value in node.value:
                # keys brought in by a merge (<<) may be overridden: that is what it is for
                if key_node.tag == _MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=deep)
                if isinstance(key, Hashable) and key in seen:
                    raise ConstructorError(
                        None,
                        None,
                        f"the key {key!r} is given twice; only one value would be kept",
                        key_node.start_mark,
                    )
                if isinstance(key, Hashable):
                    seen.add(key)
        return super().construct_mapping(node, deep=deep)


def load_yaml(text: str | bytes) -> Any:
    """The YAML document ``text`` (safe types only); a repeated key raises a YAMLError.

    :param text: the document.
    """
    return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506


def read_text_file(path: Path, *, error: Callable[[Message], Exception]) -> str:
    """The text of the UTF-8 file ``path``, without a leading byte-order mark.

    :param error: builds the caller's error from a message naming ``path`` and what
        is wrong (no such file, a folder, unreadable, the line that is not UTF-8).
    """
    try:
        data = path.read_bytes()
    except FileNotFoundError as exc:
        raise error(Message("%(path)s: no such file", path=path)) from exc
    except IsADirectoryError as exc:
        raise error(Message("%(path)s: is a folder, not a file", path=path)) from exc
    except OSError as exc:
        raise error(
            Message("%(path)s: cannot read (%(reason)s)", path=path, reason=exc.strerror)
        ) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise error(
            Message(
                "%(path)s:%(line)s: not UTF-8 text "
                "(save it as UTF-8; from a spreadsheet, as 'CSV UTF-8')",
                path=path,
                line=line,
            )
        ) from exc
    return text.removeprefix("\ufeff")
