"""Pure text handling shared by profile building (in SQL) and free-text queries (in Python).

Both sides must cut text into the same tokens: folded words of at least three
characters that start with a letter, minus :data:`STOPWORDS`. The SQL twin is
:data:`TOKEN_REGEX` applied to ``lower(strip_accents(text))``.

That is why this tokenizer stays apart from the shared :mod:`permed_atlas.textsearch`
(used by the directory and the helpdesk): it must give exactly what the DuckDB
regex gives when profiles are built, so it cannot stem, join hyphenated words or
share that module's stop words.
"""

from __future__ import annotations

import re
import unicodedata

TOKEN_REGEX = r"[a-z][a-z0-9]{2,}"
_TOKEN = re.compile(TOKEN_REGEX)

# English function words plus the words of every abstract ("patients", "results"), which
# would otherwise make any two medical authors look alike.
_STOPWORD_TEXT = """
about above after again against all also although among and any are around as at based be
because been before being below between both but by can could did does doing down due
during each either etc few for from further had has have having her here hers him his how
however into its itself just may might more most much must near neither nor not now off
once only other our ours out over own per same she should since some such than that the
their theirs them then there these they this those through thus too under until upon very
via was were what when where whether which while who whom whose why will with within
without would yet you your abstract aim aims analysis analyses analysed analyzed approach
associated association background conclusion conclusions data design effect effects
evaluate evaluated finding findings group groups high higher increase increased including
introduction low lower method methods objective objectives outcome outcomes patient
patients performed present purpose result results review role showed significant
significantly studies study total use used using versus well new one two three first year
years compared significance
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


def fold_text(text: str) -> str:
    """Lower case without accents, as DuckDB's ``lower(strip_accents(...))`` gives it.

    :param text: any text.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def tokenize(text: str) -> list[str]:
    """The word tokens of ``text``, in order, stop words removed.

    :param text: a title, abstract or free-text project description.
    """
    return [token for token in _TOKEN.findall(fold_text(text)) if token not in STOPWORDS]
