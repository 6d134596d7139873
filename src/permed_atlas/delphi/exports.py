"""``permed delphi export``: a study's tables and report, written as one set of files.

The files of one export belong together (the statistics, the ratings, the workbook and the
report of the same moment), so they are written with
:func:`permed_atlas.outputfiles.written_together`: none is replaced until every one is
written. A file that fails (a full disk, Chromium that cannot print) leaves every old file of
the set, not this run's tables beside last run's report.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from permed_atlas.delphi import report
from permed_atlas.i18n import use_language
from permed_atlas.outputfiles import written_together

FORMATS = ("csv", "xlsx", "html", "pdf")


def export_plan(slug: str, formats: list[str]) -> list[tuple[str, str]]:
    """The files an export of ``formats`` writes, as (what, file name), in order.

    :param slug: the study's slug, which every file name starts with.
    :param formats: some of :data:`FORMATS`.
    """
    plan = []
    if "csv" in formats:
        plan += [("statistics", f"{slug}-statistics.csv"), ("ratings", f"{slug}-ratings.csv")]
    if "xlsx" in formats:
        plan.append(("xlsx", f"{slug}.xlsx"))
    if "html" in formats:
        plan.append(("html", f"{slug}-report.html"))
    if "pdf" in formats:
        plan.append(("pdf", f"{slug}-report.pdf"))
    return plan


def export_study(
    session: Session, study_id: int, *, folder: Path, formats: list[str], language: str
) -> tuple[Path, ...]:
    """Write a study's export into ``folder``, every file or none; return the files.

    :param session: the platform database session (read only).
    :param study_id: the study.
    :param folder: an existing folder.
    :param formats: some of :data:`FORMATS`.
    :param language: the report's language (HTML, PDF); the tables are in English.
    """
    with use_language(language):  # the rule and methods sentences of the report
        data = report.build_study_report(session, study_id)
        html = report.render_report_html(data) if {"html", "pdf"} & set(formats) else ""
    plan = export_plan(data.study.slug, formats)
    paths = tuple(folder / name for _, name in plan)
    with written_together(paths) as temporaries:
        for (kind, _), temporary, path in zip(plan, temporaries, paths, strict=True):
            _write(kind, temporary, path, session=session, data=data, html=html)
    return paths


def _write(
    kind: str,
    temporary: Path,
    path: Path,
    *,
    session: Session,
    data: report.StudyReport,
    html: str,
) -> None:
    """Write one file of the export to ``temporary`` (renamed to ``path`` with the others)."""
    if kind == "statistics":
        temporary.write_bytes(report.write_csv(report.statistics_rows(data)).encode("utf-8"))
    elif kind == "ratings":
        rows = report.ratings_rows(session, data.study.id)
        temporary.write_bytes(report.write_csv(rows).encode("utf-8"))
    elif kind == "xlsx":
        report.write_xlsx(session, data.study.id, temporary)
    elif kind == "html":
        temporary.write_bytes(html.encode("utf-8"))
    else:
        report.write_pdf(html, temporary, shown_as=path)
