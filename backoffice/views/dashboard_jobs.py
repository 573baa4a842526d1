"""The dashboard's part on companies, vacancies and job proposals (services.job_figures): its
table (the semester, a year before, the change, all time), companies by source, the reasons of
"No, grazie" as a chart followed by its table, and the same figures as lines of the semester
report (CSV). Drawn by templates/office/dashboard_jobs.html, included by the dashboard."""
from __future__ import annotations

from typing import Any, Optional

from markupsafe import Markup

from services.job_figures import JobReport

from backoffice.i18n import L_, _
from backoffice.views.dashboard import (COUNT, SHARE, _chart, _svg, _whole_numbers, change, change_text,
                                        number_text, semester_label, share_text)

DAYS = "days"
# (JobFigures field, label, kind): counts change by their difference, shares in points, days in days.
ROWS = (
    ("companies_involved", L_("Companies involved (a vacancy opened or proposed)"), COUNT),
    ("companies_new", L_("New companies"), COUNT),
    ("vacancies_opened", L_("Vacancies opened"), COUNT),
    ("vacancies_covered", L_("Vacancies opened and covered"), COUNT),
    ("proposed", L_("Job proposals sent"), COUNT),
    ("interested", L_("Proposals answered \"I'm interested\""), COUNT),
    ("declined", L_("Proposals answered \"No, thanks\""), COUNT),
    ("put_forward", L_("People put forward to the company (inserimenti mediati)"), COUNT),
    ("hired", L_("People hired through a proposal"), COUNT),
    ("contract_refused", L_("Contracts refused (company's outcome)"), COUNT),
    ("path_contract_refused", L_("Paths closed: contract refused"), COUNT),
    ("days_to_hire", L_("Days from proposal to hiring (median)"), DAYS),
    ("hired_permanent", L_("Hirings on a permanent contract"), COUNT),
    ("hired_permanent_share", L_("Share of hirings on a permanent contract (%)"), SHARE),
)
# services.candidacy.REASONS as operators read them
REASONS = {"too_far": L_("Too far"), "hours": L_("The hours"), "contract": L_("The contract type"),
           "kind_of_work": L_("The kind of work"), "pay": L_("The pay"), "found_work": L_("Found work"),
           "other": L_("Other reason")}


def _shown(kind: str, value: Optional[float]) -> str:
    return share_text(value) if kind == SHARE else number_text(value)


def _change(kind: str, report: JobReport, key: str) -> Optional[float]:
    return change(SHARE if kind == SHARE else COUNT, report.figures, report.year_before, key)


def source_name(source: str) -> str:
    return source or _("Not recorded")


def context(data: dict[str, Any]) -> dict[str, Any]:
    """What templates/office/dashboard_jobs.html reads."""
    report: JobReport = data["jobs"]
    rows = []
    for key, label, kind in ROWS:
        values = [getattr(f, key) for f in (report.figures, report.year_before, report.all_time)]
        rows.append({"key": key, "label": str(label), "semester": _shown(kind, values[0]),
                     "year_before": _shown(kind, values[1]), "all_time": _shown(kind, values[2]),
                     "change": change_text(_change(kind, report, key))})
    reasons = [(code, str(REASONS[code]), counts) for code, counts in report.reasons.items()]
    return {"job_rows": rows, "job_reasons": reasons, "job_sources": report.sources,
            "source_name": source_name, "job_chart": _reasons_chart(report, reasons)}


def _reasons_chart(report: JobReport, reasons: list[tuple[str, str, tuple[int, int, int]]]) -> Markup:
    semester = report.semester
    chart = _chart("HorizontalBar", _("Why people said \"No, thanks\": %(semester)s and a year before")
                   % {"semester": semester_label(semester)}, value_formatter=lambda v: number_text(v),
                   print_zeroes=False,
                   y_labels=_whole_numbers([n for _c, _l, counts in reasons for n in counts[:2]]))
    upwards = reasons[::-1]  # pygal draws the first label at the bottom: the table's order, top down
    chart.x_labels = [label for _code, label, _counts in upwards]
    chart.add(semester_label(semester), [counts[0] for _c, _l, counts in upwards])
    chart.add(semester_label(semester.year_before()), [counts[1] for _c, _l, counts in upwards])
    return _svg(chart)


def report_rows(report: JobReport) -> list[list[str]]:
    """The semester report's lines: the figures, companies by source, the reasons of "No, thanks";
    the columns of services.figures' lines (semester, a year before, change, all time)."""
    rows = []
    for key, label, kind in ROWS:
        cells = []
        for source in (report.figures, report.year_before, report.all_time):
            value = getattr(source, key)
            cells.append("" if value is None else number_text(value * 100, "0.0") if kind == SHARE
                         else number_text(value, "0.#") if kind == DAYS else str(value))
        value = _change(kind, report, key)
        rows.append([str(label), cells[0], cells[1], "" if value is None else number_text(value, "0.#"), cells[2]])
    for row in report.sources:
        for what, counts in ((_("Companies involved"), row.involved), (_("New companies"), row.new)):
            rows.append([f"{what}: {source_name(row.source)}", str(counts[0]), str(counts[1]),
                         str(counts[0] - counts[1]), str(counts[2])])
    for code, counts in report.reasons.items():
        rows.append([_("\"No, thanks\": %(reason)s") % {"reason": str(REASONS[code]).lower()}, str(counts[0]),
                     str(counts[1]), str(counts[0] - counts[1]), str(counts[2])])
    return rows

