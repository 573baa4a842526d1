"""Companies (the firms the programme places people with) and their vacancies: lists, a new one,
changes to one. Everyone with the page's ``list`` grant reads; saving needs ``edit`` (operators,
admins). Every POST is CSRF-checked by the middleware and runs in one audited transaction; a
wrong input (services.company_input's Italian message) is shown on the form, what was typed kept,
nothing written. The matching page of a vacancy is backoffice.views.match_pages."""
from __future__ import annotations

import datetime as dt
from typing import Any, Callable

import anyio
from sqladmin import BaseView, Flash, expose
from sqlalchemy.orm import sessionmaker
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from services import candidacy, companies, placement_words as words
from services.clock import utcnow
from services.office import audit
from services.operator_input import Invalid

from backoffice import roles
from backoffice.forms.companies import CompanyForm, VacancyForm
from backoffice.forms.fields import checked
from backoffice.i18n import L_, _
from conversations.i18n import TIMEZONE
from conversations.municipalities import COMUNI


class _Page(BaseView):
    session_maker: sessionmaker | None = None
    clock: Callable[[], dt.datetime] = staticmethod(utcnow)
    page_identity = ""

    async def _save(self, request: Request, action: str, work: Callable, form, back: str, key: str) -> Response:
        roles.require(request, self.page_identity)
        try:
            row_id, done = await anyio.to_thread.run_sync(audit.run, self.session_maker, action, work)
        except Invalid as problem:
            return await self._page(request, error=str(problem), form=form, status_code=400)
        Flash.success(request, done)
        return RedirectResponse(str(request.url_for(back).include_query_params(**{key: row_id})), status_code=303)

    def _read(self, work: Callable) -> Any:
        with self.session_maker() as sql_session:
            found = work(sql_session)
            sql_session.expunge_all()
            return found

    def _context(self, request: Request, **more: Any) -> dict[str, Any]:
        return {"can_edit": roles.can(request, self.page_identity, "edit"), "words": words, "comuni": COMUNI,
                "phone": _phone,
                "labels": {kind: words.labels(kind) for kind in ("sector", "contract", "hours", "status", "italian",
                                                                 "education")}, **more}

    async def _page(self, request: Request, **kwargs) -> Response:
        raise NotImplementedError


class CompaniesPage(_Page):
    """/office/companies: the list (search by name or VAT number), ?company=N to change one."""

    name = L_("Companies")
    icon = "fa-solid fa-building"
    category = L_("Companies and vacancies")
    page_identity = "companies"

    @expose("/companies", methods=["GET"], identity="companies")
    async def listing(self, request: Request) -> Response:
        return await self._page(request)

    @expose("/companies/save", methods=["POST"], identity="companies-save")
    async def save(self, request: Request) -> Response:
        roles.require(request, self.page_identity)
        form = await request.form()
        who = request.state.operator.username

        def work(sql_session) -> tuple[int, str]:
            fields = checked(CompanyForm, form)
            if fields.company.data:
                company = companies.edit_company(sql_session, fields.company.data, **fields.fields())
                return company.id, _("Company saved.")
            company = companies.create_company(sql_session, now=self.clock(), created_by=who, **fields.fields())
            return company.id, _("Company added.")

        return await self._save(request, "company_save", work, form, "admin:view-companies", "company")

    async def _page(self, request: Request, *, error: str | None = None, form=None, status_code: int = 200) -> Response:
        search = str(request.query_params.get("q", ""))[:100]
        raw = str((form or {}).get("company") or request.query_params.get("company", ""))
        chosen = int(raw) if raw.isdigit() and len(raw) < 18 else None

        def load(sql_session) -> dict[str, Any]:
            rows = companies.companies(sql_session, search=search)
            company = companies.find_company(sql_session, chosen)
            listed = companies.vacancies(sql_session, company_id=chosen) if company else []
            return {"rows": rows, "company": company, "company_vacancies": listed}

        data = await anyio.to_thread.run_sync(self._read, load)
        context = self._context(request, title=_("Companies"), error=error, form=form, search=search,
                                new=request.query_params.get("new") == "1", **data)
        return await self.templates.TemplateResponse(request, "office/companies.html", context, status_code=status_code)


class VacanciesPage(_Page):
    """/office/vacancies: the list (by status), ?vacancy=N to change one, ?new=1&company=N for a new one."""

    name = L_("Vacancies")
    icon = "fa-solid fa-briefcase"
    category = L_("Companies and vacancies")
    page_identity = "vacancies"

    @expose("/vacancies", methods=["GET"], identity="vacancies")
    async def listing(self, request: Request) -> Response:
        return await self._page(request)

    @expose("/vacancies/save", methods=["POST"], identity="vacancies-save")
    async def save(self, request: Request) -> Response:
        roles.require(request, self.page_identity)
        form = await request.form()
        who = request.state.operator.username

        def work(sql_session) -> tuple[int, str]:
            fields = checked(VacancyForm, form)
            if fields.vacancy.data:
                vacancy = companies.edit_vacancy(sql_session, fields.vacancy.data, now=self.clock(),
                                                 company_id=fields.company.data, **fields.fields())
                return vacancy.id, _("Vacancy saved.")
            vacancy = companies.create_vacancy(sql_session, company_id=fields.company.data, now=self.clock(),
                                               created_by=who, **fields.fields())
            return vacancy.id, _("Vacancy added.")

        return await self._save(request, "vacancy_save", work, form, "admin:view-vacancies", "vacancy")

    @expose("/vacancies/outcome", methods=["POST"], identity="vacancies-outcome")
    async def outcome(self, request: Request) -> Response:
        """The company's outcome for one candidate (services.candidacy: hired records the path's "placed")."""
        roles.require(request, self.page_identity)
        form = await request.form()
        who = request.state.operator.username

        def work(sql_session) -> tuple[int, str]:
            raw = str(form.get("vacancy", ""))
            start = str(form.get("start", "")).strip()
            try:
                start_day = dt.date.fromisoformat(start) if start else None
            except ValueError:
                raise Invalid(_("The start date is not a date.")) from None
            contract = str(form.get("contract", "")).strip()
            now = self.clock()
            candidacy.outcome(sql_session, vacancy_id=int(raw) if raw.isdigit() and len(raw) < 18 else 0,
                              code=str(form.get("code", ""))[:12], result=str(form.get("result", "")), now=now,
                              today=now.astimezone(TIMEZONE).date(), contract=contract if contract in words.CONTRACTS
                              else None, start=start_day, reason=str(form.get("reason", ""))[:500],
                              created_by=who)
            return int(raw), _("Outcome recorded.")

        return await self._save(request, "vacancy_outcome", work, form, "admin:view-vacancies", "vacancy")

    async def _page(self, request: Request, *, error: str | None = None, form=None, status_code: int = 200) -> Response:
        status = str(request.query_params.get("status", ""))
        status = status if status in words.STATUSES else ""
        raw = str((form or {}).get("vacancy") or request.query_params.get("vacancy", ""))
        chosen = int(raw) if raw.isdigit() and len(raw) < 18 else None

        def load(sql_session) -> dict[str, Any]:
            vacancy = companies.find_vacancy(sql_session, chosen)
            return {"rows": companies.vacancies(sql_session, status=status or None), "vacancy": vacancy,
                    "companies": [row.company for row in companies.companies(sql_session)],
                    "candidates": companies.candidates(sql_session, chosen) if vacancy else []}

        data = await anyio.to_thread.run_sync(self._read, load)
        context = self._context(request, title=_("Vacancies"), error=error, form=form, status=status,
                                new=request.query_params.get("new") == "1",
                                preset_company=str(request.query_params.get("company", "")),
                                states=words.CANDIDATE_STATES, results=candidacy.RESULTS,
                                reasons=words.DECLINE_REASONS,
                                funnel=candidacy.funnel([c.state for c, _r in data["candidates"]]), **data)
        return await self.templates.TemplateResponse(request, "office/vacancies.html", context, status_code=status_code)


def _phone(value: str | None) -> str:
    """ "+39 0542 000001" rather than the E.164 stored."""
    import phonenumbers

    if not value:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(value), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return value


def views(clock: Callable[[], dt.datetime], session_maker: sessionmaker) -> list[type]:
    """Fresh subclasses for each application, as backoffice.app.views makes."""
    return [type(page.__name__, (page,), {"clock": staticmethod(clock), "session_maker": session_maker})
            for page in (CompaniesPage, VacanciesPage)]
