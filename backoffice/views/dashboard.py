"""/office/dashboard: the programme's numbers for the technical board (services.figures). A semester
picker (the current one by default), the funnel for that semester, the same semester a year
before and all time, and charts (pygal: SVG drawn on the server, no JavaScript, nothing fetched
from outside), each followed by its table; and the semester report as CSV.

Every role reads it: it shows counts only, no personal data."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, Callable, Optional

import anyio
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from markupsafe import Markup
from sqladmin import BaseView, expose
from sqlalchemy.orm import sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from conversations.i18n import TIMEZONE
from services import figures, inbox_figures
from services.figures import Figures, Semester
from services.office_pages import board
from services.clock import utcnow

from backoffice.i18n import L_, _, current_language
from backoffice.spreadsheet import csv_response

SHARE, COUNT = "share", "count"
# The report's rows: (Figures field, label, kind). Shares are shown as percentages and change
# in percentage points; counts change by their difference.
ROWS = (
    ("registered", L_("New registrations"), COUNT),
    ("interviewed", L_("People interviewed"), COUNT),
    ("selections", L_("Inserimenti mediati (selection steps)"), COUNT),
    ("selected_people", L_("People in selection"), COUNT),
    ("placed", L_("People placed"), COUNT),
    ("placements", L_("Contracts started"), COUNT),
    ("permanent", L_("Permanent contracts"), COUNT),
    ("permanent_share", L_("Share of permanent contracts (%)"), SHARE),
    ("workshop_sessions", L_("Workshop sessions held"), COUNT),
    ("workshop_seats", L_("Workshop seats taken"), COUNT),
    ("workshop_capacity", L_("Workshop seats offered"), COUNT),
    ("workshop_fill_rate", L_("Workshop fill rate (%)"), SHARE),
    ("workshop_no_show_rate", L_("Workshop no-show rate (%)"), SHARE),
    ("interviews_attended", L_("Interviews attended"), COUNT),
    ("interviews_no_show", L_("Interviews missed (no-show)"), COUNT),
    ("interview_no_show_rate", L_("Interview no-show rate (%)"), SHARE),
)
FUNNEL = (("registered", L_("New registrations")), ("interviewed", L_("People interviewed")),
          ("selected_people", L_("People in selection")), ("placed", L_("People placed")))
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)
HISTORY = 6  # semesters in the charts of shares and rates, ending with the chosen one


def semester_label(semester: Semester) -> str:
    return _("H%(half)s %(year)s") % {"half": semester.half, "year": semester.year}


def share_text(value: Optional[float]) -> str:
    """40,0% (Italian) or 40.0%; an empty cell when there is nothing to divide by."""
    return "" if value is None else format_percent(value, "#,##0.0%", locale=current_language())


def number_text(value: Optional[float], pattern: str = "#,##0.#") -> str:
    return "" if value is None else format_decimal(value, pattern, locale=current_language())


def change(kind: str, now: Figures, before: Figures, key: str) -> Optional[float]:
    """A count's difference, or a share's change in percentage points."""
    a, b = getattr(now, key), getattr(before, key)
    if a is None or b is None:
        return None
    return round((a - b) * 100, 1) if kind == SHARE else a - b


def change_text(value: Optional[float]) -> str:
    return number_text(value, "+#,##0.#;-#,##0.#") if value else ("" if value is None else "0")


class DashboardPage(BaseView):
    """The figures, for every role."""

    name = L_("Programme figures")
    icon = "fa-solid fa-chart-column"
    session_maker: sessionmaker | None = None
    clock: Callable[[], dt.datetime] = staticmethod(utcnow)

    # The first route is the menu's (sqladmin names the view after it).
    @expose("/dashboard", methods=["GET"], identity="dashboard")
    async def dashboard(self, request: Request) -> Response:
        today = self.clock().astimezone(TIMEZONE).date()
        data = await anyio.to_thread.run_sync(self._load, self._chosen(request, today), today)
        from backoffice.views import dashboard_jobs  # it reads this module's helpers

        context = {"title": _("Programme figures"), **data, **self._tables(data), "charts": _charts(data),
                   "semester_label": semester_label, "share_text": share_text, "number_text": number_text,
                   "change_text": change_text, **dashboard_jobs.context(data)}
        return await self.templates.TemplateResponse(request, "office/dashboard.html", context)

    @expose("/dashboard/report.csv", methods=["GET"], identity="dashboard-report")
    async def report(self, request: Request) -> Response:
        today = self.clock().astimezone(TIMEZONE).date()
        semester = self._chosen(request, today)
        data = await anyio.to_thread.run_sync(self._load_report, semester)
        from backoffice.views import dashboard_jobs

        return csv_response(f"report_{semester.key}.csv", report_rows(data["report"], data["all_time"])
                            + dashboard_jobs.report_rows(data["jobs"]))

    def _chosen(self, request: Request, today: dt.date) -> Semester:
        try:
            chosen = Semester.parse(request.query_params.get("semester", ""))
        except ValueError:
            return Semester.of(today)
        return chosen if 2000 <= chosen.year <= today.year + 1 else Semester.of(today)

    def _load_report(self, semester: Semester) -> dict[str, Any]:
        with self.session_maker() as sql_session:
            return board.report(sql_session, semester, now=self.clock())

    def _load(self, semester: Semester, today: dt.date) -> dict[str, Any]:
        with self.session_maker() as sql_session:
            found = board.board(sql_session, semester, today=today, now=self.clock(), history=HISTORY)
            found["inbox"] = inbox_figures.figures(sql_session, first_day=semester.first_day, end_day=semester.end_day,
                                                   now=self.clock())  # the office inbox (#15)
            return found

    def _tables(self, data: dict[str, Any]) -> dict[str, Any]:
        report: figures.Comparison = data["report"]
        rows = []
        for key, label, kind in ROWS:
            values = [getattr(f, key) for f in (report.figures, report.year_before, data["all_time"])]
            shown = [share_text(v) if kind == SHARE else number_text(v) for v in values]
            rows.append({"key": key, "label": str(label), "semester": shown[0], "year_before": shown[1],
                         "all_time": shown[2],
                         "change": change_text(change(kind, report.figures, report.year_before, key))})
        return {"rows": rows, "funnel": [(key, str(label)) for key, label in FUNNEL]}


def report_rows(report: figures.Comparison, all_time: Figures) -> list[list[str]]:
    """The semester report: one row per figure, the semester beside the same semester a year
    before, the change, and all time. Numbers in the operator's language (Italian: 40,0)."""
    head = [_("Figure"), semester_label(report.semester), semester_label(report.semester.year_before()),
            _("Change (points for shares)"), _("All time")]
    rows = [head]
    for key, label, kind in ROWS:
        cells = []
        for source in (report.figures, report.year_before, all_time):
            value = getattr(source, key)
            cells.append(number_text(value * 100, "0.0") if kind == SHARE and value is not None
                         else "" if value is None else str(value))
        value = change(kind, report.figures, report.year_before, key)
        rows.append([str(label), cells[0], cells[1], "" if value is None else number_text(value, "0.#"), cells[2]])
    return rows


# -- charts ---------------------------------------------------------------------------------

def _style():
    from pygal.style import Style

    return Style(background="transparent", plot_background="transparent", font_family="inherit",
                 label_font_size=13, major_label_font_size=13, value_font_size=12, legend_font_size=13,
                 title_font_size=15, colors=("#206bc4", "#a8aeb7", "#2fb344", "#f76707"))


def _chart(kind: str, title: str, **config) -> Any:
    """A pygal chart drawn as inline SVG: its tooltip script (fetched from the web by default)
    is left out, values are printed on the chart instead."""
    import pygal  # 0.08 s at first use; the bot process never pays it

    chart = getattr(pygal, kind)(style=_style(), js=[], disable_xml_declaration=True, print_values=True,
                                 legend_at_bottom=True, height=320, width=900, truncate_label=-1,
                                 truncate_legend=-1, title=title, no_data_text=_("No data"), **config)
    return chart


def _whole_numbers(values) -> list[int]:
    """About five whole-number ticks from 0 to the largest count (pygal would put 0.2 steps)."""
    top = max([v for v in values if v is not None] + [1])
    step = max(1, -(-top // 5))
    return list(range(0, top + step, step))


def _svg(chart) -> Markup:
    """pygal always embeds its configuration for the tooltip script: of no use without it."""
    return Markup(_SCRIPT.sub("", chart.render(is_unicode=True)))


def _percent(value: Optional[float]) -> str:
    return share_text(value) if value is not None else ""


def _charts(data: dict[str, Any]) -> dict[str, Markup]:
    report: figures.Comparison = data["report"]
    semester = data["semester"]

    funnel_values = [getattr(f, key) for f in (report.figures, report.year_before) for key, _label in FUNNEL]
    funnel = _chart("Bar", _("The path: %(semester)s and a year before") % {"semester": semester_label(semester)},
                    value_formatter=lambda v: number_text(v), y_labels=_whole_numbers(funnel_values))
    funnel.x_labels = [str(label) for _key, label in FUNNEL]
    funnel.add(semester_label(semester), [getattr(report.figures, key) for key, _label in FUNNEL])
    funnel.add(semester_label(semester.year_before()), [getattr(report.year_before, key) for key, _label in FUNNEL])

    months = _chart("Bar", _("New registrations per month"), show_legend=False, x_label_rotation=45,
                    value_formatter=lambda v: number_text(v),
                    y_labels=_whole_numbers([count for _month, count in data["months"]]))
    months.x_labels = [month_label(month) for month, _count in data["months"]]
    months.add(_("New registrations"), [count for _month, count in data["months"]])

    shares = _chart("Bar", _("Share of permanent contracts per semester"), show_legend=False,
                    range=(0, 1), value_formatter=_percent, y_labels=[0, 0.25, 0.5, 0.75, 1])
    shares.x_labels = [semester_label(s) for s, _total, _share in data["shares"]]
    shares.add(_("Share of permanent contracts"), [share for _s, _total, share in data["shares"]])

    rates = _chart("Bar", _("Workshops and interviews per semester"), range=(0, 1), value_formatter=_percent,
                   y_labels=[0, 0.25, 0.5, 0.75, 1])
    rates.x_labels = [semester_label(s) for s, _f in data["rates"]]
    rates.add(_("Workshop fill rate"), [f.workshop_fill_rate for _s, f in data["rates"]])
    rates.add(_("Workshop no-show rate"), [f.workshop_no_show_rate for _s, f in data["rates"]])
    rates.add(_("Interview no-show rate"), [f.interview_no_show_rate for _s, f in data["rates"]])
    return {"funnel": _svg(funnel), "months": _svg(months), "shares": _svg(shares), "rates": _svg(rates)}


def month_label(first: dt.date) -> str:
    return format_date(first, "MMM yyyy", locale=current_language())


def views(clock: Callable[[], dt.datetime], session_maker: sessionmaker) -> list[type]:
    """A fresh subclass for each application, as backoffice.app.views makes."""
    return [type(DashboardPage.__name__, (DashboardPage,), {"clock": staticmethod(clock),
                                                              "session_maker": session_maker})]
