"""A vacancy's matching page: the registered people who fit, ranked, each with the line saying
why (services.matching), the operator's filters (distance, sector, hours, interviewed, nobody in
another selection, requirements strict or not) and who was left out and why. Every role with
the page's grant reads it; operators (``edit``) tick people and send them the proposal
(services.proposals: CSRF-checked by the middleware, one audited transaction)."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import anyio
from sqladmin import BaseView, Flash, expose
from sqlalchemy.orm import sessionmaker
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from services import companies, matching, matching_words, placement_words as words, proposals
from services.clock import utcnow
from services.office import audit
from services.operator_input import Invalid

from backoffice import roles
from backoffice.i18n import L_, _

SHOWN = 200  # people listed; the count says how many fit in all
KM = (5, 10, 20, 30, 50)


class MatchPage(BaseView):
    """/office/vacancy-match?vacancy=N (&max_km=20&interviewed=1&free=1&sector=1&hours=1&loose=1)."""

    name = L_("People for a vacancy")
    icon = "fa-solid fa-people-arrows"
    category = L_("Companies and vacancies")
    session_maker: sessionmaker | None = None
    clock: Callable[[], dt.datetime] = staticmethod(utcnow)
    page_identity = "vacancy-match"
    per_week = proposals.PER_WEEK

    @expose("/vacancy-match", methods=["GET"], identity="vacancy-match")
    async def match_page(self, request: Request) -> Response:
        query = request.query_params
        raw = str(query.get("vacancy", ""))
        vacancy_id = int(raw) if raw.isdigit() and len(raw) < 18 else None
        km = str(query.get("max_km", ""))
        filters = matching.Filters(max_km=float(km) if km.isdigit() and int(km) in KM else None,
                                   interviewed_only=query.get("interviewed") == "1", free_only=query.get("free") == "1",
                                   sector_only=query.get("sector") == "1", hours_only=query.get("hours") == "1",
                                   strict=query.get("loose") != "1")
        data = await anyio.to_thread.run_sync(self._load, vacancy_id, filters)
        context = {"title": _("People for a vacancy"), "filters": filters, "km_choices": KM, "shown": SHOWN,
                   "words": words, "chosen": vacancy_id, "can_edit": roles.can(request, self.page_identity, "edit"),
                   **data}
        return await self.templates.TemplateResponse(request, "office/vacancy_match.html", context,
                                                     status_code=404 if data["missing"] else 200)

    @expose("/vacancy-match/propose", methods=["POST"], identity="vacancy-match-propose")
    async def propose(self, request: Request) -> Response:
        """The ticked people get the proposal; the vacancy's page then shows them as candidates."""
        roles.require(request, self.page_identity)
        form = await request.form()
        raw = str(form.get("vacancy", ""))
        vacancy_id = int(raw) if raw.isdigit() and len(raw) < 18 else 0
        codes = [str(code)[:12] for code in form.getlist("code")][:SHOWN]
        who, show = request.state.operator.username, form.get("show_company") == "1"

        def work(sql_session) -> proposals.Proposed:
            return proposals.propose(sql_session, vacancy_id=vacancy_id, codes=codes, now=self.clock(),
                                     created_by=who, show_company=show, per_week=self.per_week)

        back = request.url_for("admin:view-vacancy-match").include_query_params(vacancy=vacancy_id)
        try:
            result = await anyio.to_thread.run_sync(audit.run, self.session_maker, "vacancy_propose", work)
        except Invalid as problem:
            Flash.error(request, str(problem))
            return RedirectResponse(str(back), status_code=303)
        Flash.success(request, _("Proposal sent to %(count)s people.") % {"count": len(result.sent)})
        for code, why in result.skipped.items():
            Flash.warning(request, _("Not sent to %(code)s: %(why)s.") % {
                "code": code, "why": proposals.WHY_NOT.get(why, why).format(n=self.per_week)})
        return RedirectResponse(str(request.url_for("admin:view-vacancies").include_query_params(vacancy=vacancy_id))
                                + "#candidates", status_code=303)

    def _load(self, vacancy_id: int | None, filters: matching.Filters) -> dict[str, Any]:
        with self.session_maker() as sql_session:
            listed = companies.vacancies(sql_session)
            result, missing = None, False
            if vacancy_id:
                try:
                    result = matching.match(sql_session, vacancy_id, filters, limit=SHOWN)
                except Invalid:
                    missing = True
            sql_session.expunge_all()
        return {"vacancies": listed, "result": result, "missing": missing,
                "excluded": matching_words.excluded_line(result.excluded) if result else ""}


def views(clock: Callable[[], dt.datetime], session_maker: sessionmaker, *,
          per_week: int = proposals.PER_WEEK) -> list[type]:
    return [type(MatchPage.__name__, (MatchPage,), {"clock": staticmethod(clock), "session_maker": session_maker,
                                                    "per_week": per_week})]
