"""Helpers shared by the parsers: opening plain or gzipped files, splitting lines, ids."""

from __future__ import annotations

import gzip
import re
import zlib
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import IO, Any, TypeVar

import orjson

from permed_atlas.i18n import Message
from permed_atlas.landscape.errors import IngestError, RecordError, TruncatedFileError

# Records written by the project's demo generator say so in this top-level key (not part of
# the OpenAlex or Lens schemas); their works get SYNTHETIC_SOURCE instead of the format's source,
# so every page and report can warn that the corpus holds invented records.
SYNTHETIC_MARKER = "permed_synthetic"
SYNTHETIC_SOURCE = "synthetic"

GZIP_MAGIC = b"\x1f\x8b"
BOM = b"\xef\xbb\xbf"
_BLOCK = 1 << 20

_Record = TypeVar("_Record")
_Converted = TypeVar("_Converted")


def record_source(record: dict[str, object], format_source: str) -> str:
    """The source a record's work is stored under: the format's, or ``synthetic`` when generated.

    :param record: the decoded record.
    :param format_source: ``openalex``, ``lens``, ...
    """
    return SYNTHETIC_SOURCE if record.get(SYNTHETIC_MARKER) is True else format_source


def open_binary(path: Path | str) -> IO[bytes]:
    """Open ``path`` for reading bytes, gunzipping when its content is gzip (not its name).

    :param path: the file.
    """
    file = Path(path)
    if file.is_dir():
        raise IngestError(
            Message(
                "%(file)s: is a directory (give the directory to `permed "
                "ingest`, which reads the files inside it)",
                file=file,
            )
        )
    if not file.is_file():
        raise IngestError(Message("%(file)s: no such file", file=file))
    try:
        raw = file.open("rb")
        magic = raw.read(2)
        raw.seek(0)
    except OSError as exc:
        raise IngestError(
            Message(
                "%(file)s: cannot read: %(value)s",
                file=file,
                value=exc.strerror or exc,
            )
        ) from exc
    if not magic:
        raw.close()
        raise IngestError(Message("%(file)s: empty file (0 bytes)", file=file))
    if magic == GZIP_MAGIC:
        return _GzipStream(fileobj=raw, mode="rb")  # type: ignore[return-value]
    return raw


class _GzipStream(gzip.GzipFile):
    """A gzip stream that, once bytes after a whole member are found not to be gzip, says so
    on every later read.

    GzipFile itself reads the next two bytes as a new header after such a failure, and
    reports a clean end if none are left, so the bytes would pass unreported.
    """

    after_member: gzip.BadGzipFile | None = None

    def read1(self, size: int = -1) -> bytes:
        if self.after_member is not None:
            raise self.after_member
        try:
            return super().read1(size)
        except gzip.BadGzipFile as exc:
            # Raised reading the header of a next member: every member before it ended
            # and passed its CRC check.
            if str(exc).startswith("Not a gzipped file"):
                self.after_member = exc
            raise


def read_some(stream: IO[bytes], path: Path | str, *, line: int) -> bytes:
    """Up to ~1 MiB of the stream; b"" at its end.

    One underlying read per call (``read1``), so every byte a cut gzip stream
    did hold is handed over before the cut is reported.

    :param stream: from :func:`open_binary`.
    :param path: the file, for messages.
    :param line: the line being read, for messages.
    """
    parts: list[bytes] = []
    size = 0
    while size < _BLOCK:
        try:
            part: bytes = stream.read1(_BLOCK - size)  # type: ignore[attr-defined]
        except EOFError as exc:
            if parts:
                break  # hand over what came before; the next call meets the cut again
            raise TruncatedFileError(
                str(path), line=line, detail="the gzip stream ends before its end marker"
            ) from exc
        except (OSError, zlib.error) as exc:
            if getattr(stream, "after_member", None) is not None:
                if parts:
                    break  # whole, checked members: hand them over; the next call says why
                raise IngestError(
                    Message(
                        "%(path)s:%(line)s: cannot read: the bytes after the end of the "
                        "gzip data are not gzip (%(exc)s); `gzip -t` shows the same",
                        path=path,
                        line=line,
                        exc=exc,
                    )
                ) from exc
            # Damaged data (unlike a cut) may have decoded to garbage just before: drop it.
            raise IngestError(
                Message(
                    "%(path)s:%(line)s: cannot read: %(exc)s",
                    path=path,
                    line=line,
                    exc=exc,
                )
            ) from exc
        if not part:
            break
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def read_head(path: Path | str, size: int = 8192) -> bytes:
    """The first ``size`` bytes of the (gunzipped) content, without a UTF-8 BOM.

    :param path: the file.
    :param size: how many bytes to read.
    """
    head = b""
    with open_binary(path) as stream:
        while len(head) < size:
            try:
                block = read_some(stream, path, line=1)
            except IngestError:
                if head:
                    break  # the head is enough to tell the format; reading the file reports it
                raise
            if not block:
                break
            head += block
    if not head.strip():
        raise IngestError(Message("%(path)s: empty file (no records)", path=path))
    return head[:size].removeprefix(BOM)


def iter_lines(path: Path | str) -> Iterator[tuple[int, bytes]]:
    """Yield (1-based line number, line) of a JSON Lines file, skipping blank lines.

    Lines are split on b"\\n" only: titles may hold U+2028, which str.splitlines
    would treat as a line break. A UTF-8 BOM is dropped from the start of any line, not only
    the file's: files concatenated with ``cat`` (Lens exports each start with one) read as
    the files one after the other.

    :param path: the file, plain or gzipped.
    """
    for block in iter_line_blocks(path):
        yield from block


def iter_line_blocks(path: Path | str) -> Iterator[list[tuple[int, bytes]]]:
    """The lines of :func:`iter_lines`, a list per block read (~1 MiB), never empty.

    :param path: the file, plain or gzipped.
    """
    with open_binary(path) as stream:
        number = 0
        rest = b""
        first = True
        while True:
            block = read_some(stream, path, line=number + 1)
            if first:
                block = block.removeprefix(BOM)
                first = False
            if not block:
                break
            chunk = rest + block
            lines = chunk.split(b"\n")
            rest = lines.pop()
            if BOM in chunk:  # rare: one search per block keeps the common case as fast
                lines = [line.removeprefix(BOM) for line in lines]
            found = [
                (position, line)
                for position, line in enumerate(lines, start=number + 1)
                if line.strip()
            ]
            number += len(lines)
            if found:
                yield found
        rest = rest.removeprefix(BOM)
        if rest.strip():
            if _cut_json(rest):
                raise TruncatedFileError(
                    str(path),
                    line=number + 1,
                    detail="the last line has no line end and is not whole JSON",
                )
            yield [(number + 1, rest)]


def _cut_json(line: bytes) -> bool:
    """Whether an unterminated last line is a cut record rather than one without a line end."""
    try:
        orjson.loads(line)
    except orjson.JSONDecodeError:
        return True
    return False


def iter_xml_chunks(
    path: Path | str,
    starts: tuple[bytes, ...],
    ends: tuple[bytes, ...],
    *,
    closing: bytes | None = None,
) -> Iterator[tuple[int, bytes]]:
    """Yield (line of its start, bytes) of each element opened by one of ``starts``.

    Cutting the stream into records before parsing lets one broken record be
    reported and skipped while the records after it are still read, which a
    single iterparse over the file cannot do; memory stays at one record.
    A file that ends inside a record, or (with ``closing``) without the root's
    closing tag after its last record, raises :class:`TruncatedFileError` once
    the whole records before the cut are yielded.

    :param path: the file, plain or gzipped.
    :param starts: opening markers, e.g. (b"<PubmedArticle>", b"<PubmedArticle ").
    :param ends: closing markers, e.g. (b"</PubmedArticle>",).
    :param closing: the root's closing tag that must follow the last record, if any.
    """
    start_re = re.compile(b"|".join(re.escape(s) for s in starts))
    end_re = re.compile(b"|".join(re.escape(e) for e in ends))
    keep = max(len(s) for s in starts + ends + ((closing,) if closing else ()))
    closed = False
    with open_binary(path) as stream:
        buffer = b""
        line = 1  # line number at buffer[0]
        eof = False
        while True:
            match = start_re.search(buffer)
            if match is None:
                closed = closed or (closing is not None and closing in buffer)
                if eof:
                    if closing is not None and not closed:
                        raise TruncatedFileError(
                            str(path),
                            line=line + buffer.count(b"\n"),
                            detail=f"it ends without {closing.decode()} after its last record",
                        )
                    return
                cut = max(0, len(buffer) - keep)
                line += buffer.count(b"\n", 0, cut)
                block = read_some(stream, path, line=line)
                eof = not block
                buffer = buffer[cut:] + block
                continue
            closed = False
            start = match.start()
            line += buffer.count(b"\n", 0, start)
            buffer = buffer[start:]
            end = _record_end(buffer, start_re, end_re)
            while end < 0 and not eof:
                block = read_some(stream, path, line=line)
                eof = not block
                buffer += block
                end = _record_end(buffer, start_re, end_re)
            if end < 0:
                raise TruncatedFileError(
                    str(path), line=line, detail=f"the record starting on line {line} has no end"
                )
            chunk = buffer[:end]
            yield line, chunk
            line += chunk.count(b"\n")
            buffer = buffer[end:]


def _record_end(buffer: bytes, start_re: re.Pattern[bytes], end_re: re.Pattern[bytes]) -> int:
    """Where the record starting at buffer[0] ends; a new start before any end cuts it."""
    end = end_re.search(buffer, 1)
    following = start_re.search(buffer, 1, end.start() if end else len(buffer))
    if following is not None:
        return following.start()  # unterminated record: hand it over as it is, broken
    return end.end() if end else -1


_DOI_PREFIX = re.compile(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", re.IGNORECASE)


def normalise_doi(value: object) -> str | None:
    """ "https://doi.org/10.1/ABC" -> "10.1/abc"; None for anything that is not a DOI."""
    if not isinstance(value, str):
        return None
    doi = _DOI_PREFIX.sub("", value.strip()).lower()
    return doi if doi.startswith("10.") else None


def digits(value: object) -> str | None:
    """The trailing run of digits of an id such as "https://pubmed.ncbi.nlm.nih.gov/123"."""
    if isinstance(value, int):
        return str(value)
    if not isinstance(value, str):
        return None
    match = re.search(r"(\d+)\D*$", value)
    return match.group(1) if match else None


def normalise_pmcid(value: object) -> str | None:
    """ "https://www.ncbi.nlm.nih.gov/pmc/articles/3489" or "PMC3489" -> "PMC3489"."""
    number = digits(value)
    return f"PMC{number}" if number else None


def year_of(value: object) -> int | None:
    """The year of "2021-02-24", "20210224", 2021 or "2015 Jan-Feb"; None if absent."""
    if isinstance(value, int):
        return value if 1000 <= value <= 2999 else None
    if isinstance(value, str):
        match = re.match(r"\s*(\d{4})", value)
        if match:
            return int(match.group(1))
    return None


def clean_text(value: object) -> str | None:
    """Whitespace-collapsed text, or None for empty values."""
    if not isinstance(value, str):
        return None
    text = " ".join(value.split())
    return text or None


_INT32 = range(-(2**31), 2**31)


# A JSON value of the wrong type (a number where text belongs, `true` or 2**40 where a
# year belongs) used to reach the batch's pyarrow table and fail the whole batch's
# insert with a traceback, losing the good records around it. Read through these, it
# rejects its own record, named by line and field, as any other malformed record.


def whole_number(record: Mapping[str, Any], field: str) -> int | None:
    """The integer ``record[field]`` (a year, a count); None when absent or not a number.

    :raises ValueError: naming the field, for ``true``/``false`` (ints to Python) and for a
        number beyond the corpus's 32-bit columns.
    """
    value = record.get(field)
    if isinstance(value, bool) or (isinstance(value, int) and value not in _INT32):
        raise ValueError(
            Message(
                "field %(field)s: %(value)s is not a whole number from %(low)s to %(high)s",
                field=repr(field),
                value=_shown(value),
                low=_INT32.start,
                high=_INT32.stop - 1,
            )
        )
    return value if isinstance(value, int) else None


def optional_text(record: Mapping[str, Any], field: str, *, inside: str = "") -> str | None:
    """The text ``record[field]``; None when absent, null or empty.

    :param inside: where ``record`` sits in the whole record ("authorships.author."),
        for the message.
    :raises ValueError: naming the field, when it holds a number, a list or an object.
    """
    value = record.get(field)
    if value is None or value == "":
        return None
    if value.__class__ is not str:
        raise ValueError(
            Message(
                "field %(field)s: %(value)s is not text",
                field=repr(inside + field),
                value=_shown(value),
            )
        )
    return value


def _shown(value: object) -> str:
    text = orjson.dumps(value).decode()
    return text if len(text) <= 40 else text[:39] + "…"


def json_reason(exc: ValueError) -> str:
    """orjson's message for one line, without its "line 1" (the file line is given apart)."""
    return "broken JSON: " + str(exc).replace("line 1 column", "column")


_JSON_TYPES: tuple[tuple[type, str], ...] = (
    (dict, "object"),
    (list, "array"),
    (str, "string"),
    (bool, "true/false"),  # before int: a bool is an int in Python
    (int, "number"),
    (float, "number"),
)


def check_json_types(record: Mapping[str, Any], field_types: Mapping[str, type]) -> None:
    """Raise a ValueError naming the first field whose JSON type is not the expected one.

    An empty value of any type (``""``, ``{}``, ``0``) passes: the readers take it as absent.

    :param record: a decoded JSON object.
    :param field_types: field -> the Python type of its JSON value (``dict`` for an object).
    """
    for field, expected in field_types.items():
        value = record.get(field)
        if value and not isinstance(value, expected):
            raise ValueError(
                Message(
                    "field %(field)s: %(value)s is not a JSON %(expected)s",
                    field=repr(field),
                    value=_shown(value),
                    expected=_json_type(expected),
                )
            )


def _json_type(kind: type) -> str:
    return next(name for python, name in _JSON_TYPES if issubclass(kind, python))


def convert_or_error(
    convert: Callable[[_Record], _Converted],
    record: _Record,
    *,
    what: str,
    path: str,
    line: int,
) -> _Converted | RecordError:
    """``convert(record)``, or a RecordError (not raised) naming the line when it is unusable.

    :param convert: a reader's converter; its ValueError says what the record lacks, and a
        TypeError, AttributeError or KeyError means the record is not in the expected shape.
    :param record: the decoded record.
    :param what: the record's kind in the message of a malformed one ("patent record").
    :param path: the file, for the error message.
    :param line: the record's line, for the error message.
    """
    try:
        return convert(record)
    except ValueError as exc:
        return RecordError(str(exc), path=path, line=line)
    except (TypeError, AttributeError, KeyError) as exc:
        return RecordError(
            Message("malformed %(what)s: %(exc)s", what=what, exc=repr(exc)), path=path, line=line
        )
