"""Retrieval quality on a set of questions with expected entries: precision@3, recall@3, MRR.

Run ``python -m permed_atlas.helpdesk.evaluate [QUESTIONS.yaml]`` (default: the repository's
tests/helpdesk/questions.yaml) or ``permed helpdesk evaluate QUESTIONS.yaml``.

For each question the ranking is the one the answer page uses (countries
detected, then BM25). ``precision@k`` counts the top k hits that are expected or
listed as ``also`` relevant, divided by k; ``recall@k`` counts the expected
entries found in the top k; the reciprocal rank is that of the first expected
entry. The question file format::

    questions:
      - q: plain words
        expected: [entry-id, ...]   # must be in the top 3
        also: [entry-id, ...]       # relevant too (precision only)
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from permed_atlas.datafiles import read_yaml
from permed_atlas.helpdesk.countries import detect_countries, unique_codes
from permed_atlas.helpdesk.errors import KnowledgeFileError
from permed_atlas.helpdesk.models import KnowledgeBase
from permed_atlas.helpdesk.retrieval import retriever_for
from permed_atlas.i18n import Message

DEFAULT_QUESTIONS = Path(__file__).resolve().parents[3] / "tests" / "helpdesk" / "questions.yaml"


@dataclass(frozen=True, slots=True)
class QuestionResult:
    """One question's top hits and its scores."""

    question: str
    expected: tuple[str, ...]
    also: tuple[str, ...]
    top: tuple[str, ...]
    precision: float
    recall: float
    reciprocal_rank: float


@dataclass(frozen=True)
class Evaluation:
    """Per-question results and their means."""

    k: int
    results: tuple[QuestionResult, ...]

    @property
    def precision(self) -> float:
        """Mean precision@k."""
        return sum(r.precision for r in self.results) / max(1, len(self.results))

    @property
    def recall(self) -> float:
        """Mean recall@k."""
        return sum(r.recall for r in self.results) / max(1, len(self.results))

    @property
    def mrr(self) -> float:
        """Mean reciprocal rank of the first expected entry (0 when not in the top 10)."""
        return sum(r.reciprocal_rank for r in self.results) / max(1, len(self.results))

    @property
    def precision_ceiling(self) -> float:
        """The best mean precision@k reachable with the relevant entries listed."""
        total = sum(min(self.k, len(set(r.expected) | set(r.also))) / self.k for r in self.results)
        return total / max(1, len(self.results))


def read_questions(
    path: Path, *, knowledge: KnowledgeBase
) -> list[tuple[str, list[str], list[str]]]:
    """Read a question file; every expected id must exist.

    :param path: a YAML file as in the module docstring.
    :param knowledge: the entries the ids must name.
    :raises KnowledgeFileError: naming the file, question and field.
    """
    data = read_yaml(path, error=lambda message: KnowledgeFileError(message, path=str(path)))
    items = data.get("questions") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise KnowledgeFileError(
            Message("must hold a non-empty list"), path=str(path), field="questions"
        )
    out = []
    for number, item in enumerate(items, start=1):
        label = f"question {number}"
        if not isinstance(item, dict) or not isinstance(item.get("q"), str):
            raise KnowledgeFileError(
                Message("needs q (text)"), path=str(path), entry_id=label, field="q"
            )
        lists = {}
        for name in ("expected", "also"):
            ids = item.get(name) or []
            if name == "expected" and not ids:
                raise KnowledgeFileError(
                    Message("needs at least one id"),
                    path=str(path),
                    entry_id=label,
                    field=name,
                )
            for entry_id in ids:
                if knowledge.get(str(entry_id)) is None:
                    raise KnowledgeFileError(
                        Message("unknown entry %(entry_id)s", entry_id=repr(entry_id)),
                        path=str(path),
                        entry_id=label,
                        field=name,
                    )
            lists[name] = [str(i) for i in ids]
        out.append((item["q"], lists["expected"], lists["also"]))
    return out


def evaluate_retrieval(
    questions: Sequence[tuple[str, Sequence[str], Sequence[str]]],
    *,
    knowledge: KnowledgeBase,
    k: int = 3,
) -> Evaluation:
    """Rank each question as the answer page does and score the top ``k``.

    :param questions: (question, expected ids, also-relevant ids).
    :param knowledge: from :func:`load_knowledge`.
    :param k: the cut-off.
    """
    retriever = retriever_for(knowledge)
    results = []
    for question, expected, also in questions:
        mentions = detect_countries(question, demonyms=knowledge.demonyms,
                                    abbreviations=knowledge.abbreviations)  # fmt: skip
        codes = unique_codes(mentions)
        ranked = [h.entry.id for h in retriever.rank(question, countries=codes, mentions=mentions)]
        top = ranked[:k]
        relevant = set(expected) | set(also)
        rank = next((i for i, e in enumerate(ranked[:10], start=1) if e in expected), None)
        results.append(QuestionResult(
            question=question, expected=tuple(expected), also=tuple(also), top=tuple(top),
            precision=sum(1 for e in top if e in relevant) / k,
            recall=sum(1 for e in top if e in expected) / len(expected),
            reciprocal_rank=1 / rank if rank else 0.0,
        ))  # fmt: skip
    return Evaluation(k=k, results=tuple(results))


def format_evaluation(evaluation: Evaluation) -> str:
    """A plain-text report: one line per question, then the means.

    :param evaluation: from :func:`evaluate_retrieval`.
    """
    k = evaluation.k
    lines = []
    for number, r in enumerate(evaluation.results, start=1):
        marks = " ".join(
            f"{e}{'*' if e in r.expected else ('+' if e in r.also else '')}" for e in r.top
        )
        missed = [e for e in r.expected if e not in r.top]
        lines.append(f"{number:2d}. P@{k}={r.precision:.2f} R@{k}={r.recall:.2f} "
                     f"RR={r.reciprocal_rank:.2f}  {r.question}")  # fmt: skip
        tail = f"   missed: {', '.join(missed)}" if missed else ""
        lines.append(f"      top {k}: {marks}{tail}")
    lines.append("(* expected, + also relevant)")
    lines.append(
        f"questions: {len(evaluation.results)}  mean precision@{k}: {evaluation.precision:.3f} "
        f"(ceiling {evaluation.precision_ceiling:.3f})  mean recall@{k}: {evaluation.recall:.3f}  "
        f"MRR: {evaluation.mrr:.3f}"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the per-question results and the means; exit 0.

    :param argv: optional path of a questions file.
    """
    from permed_atlas.helpdesk.knowledge import load_knowledge

    args = list(sys.argv[1:] if argv is None else argv)
    path = Path(args[0]) if args else DEFAULT_QUESTIONS
    knowledge = load_knowledge()
    evaluation = evaluate_retrieval(read_questions(path, knowledge=knowledge), knowledge=knowledge)
    print(format_evaluation(evaluation))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
