"""Registrations: the review queue (search, filters), the answers, edits (audited), and the
"mark reviewed" action that moves new registrations to "registered"."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any, Callable

import anyio
from babel.support import LazyProxy
from sqladmin import action
from sqlalchemy import select
from starlette.requests import Request
from wtforms import DateField, SelectField, SelectMultipleField
from wtforms.validators import InputRequired
from wtforms.widgets import TextInput

from conversations import languages, validators
from conversations.flow import Invalid
from conversations.flows import choices
from conversations.i18n import translator
from conversations.municipalities import COMUNI
from store.models import Contact, Registration

from backoffice import roles
from backoffice.i18n import L_, LazyText, _, current_language, person_language_for_operators
from backoffice.views.audit import history
from backoffice.views.common import OfficeView, choice, confirmed_action, labels
from backoffice.views.filters import Choices, Distinct, InList, Period
from backoffice.views.path_pages import ERROR_KEY, path_context
from backoffice.views.document_pages import documents_context

# The stages of services.programme (the path's steps are recorded on the detail page, through
# backoffice.views.path_pages); "erased" is set by the person's erasure.
STATUSES = {"new": L_("New, to review"), "registered": L_("Registered (reviewed)"),
            "interviewed": L_("Interviewed"), "in_selection": L_("In selection"), "placed": L_("Placed"),
            "closed": L_("Closed"), "erased": L_("Erased")}
# each in the operator's language and in itself: "Arabo (العربية)"
LANGUAGES = {code: LazyText(person_language_for_operators, code, enable_cache=False) for code in languages.CODES}
REQUIRED = ("first_name", "last_name", "birth_date", "municipality", "phone")
ANSWERS = {"situation": choices.SITUATION, "education": choices.EDUCATION, "italian": choices.ITALIAN,
           "driving": choices.DRIVING, "sectors": choices.SECTORS, "availability": choices.AVAILABILITY}


def _option_label(label: str) -> LazyProxy:
    return LazyProxy(lambda: translator(current_language()).gettext(label), enable_cache=False)


def _choices(options, blank: bool = True) -> list[tuple[str, Any]]:
    return ([("", "—")] if blank else []) + [(o.value, _option_label(o.label)) for o in options]


LABELS = {
    "code": L_("Code"), "status": L_("Status"), "language": L_("Language"), "first_name": L_("First name"),
    "last_name": L_("Last name"), "birth_date": L_("Date of birth"), "tax_code": L_("Codice fiscale"),
    "municipality": L_("Comune"), "phone": L_("Phone"), "email": L_("Email"), "situation": L_("Situation"),
    "education": L_("School"), "italian": L_("Italian"), "sectors": L_("Sectors"), "driving": L_("Driving"),
    "availability": L_("Availability"), "created_at": L_("Registered on"), "erased_at": L_("Erased on"),
    "contact_id": L_("Contact"), "id": "ID",
}


class ChatLanguage(Choices):
    """The language the person chats in now (Contact.language: what broadcasts and reminders
    use), not Registration.language, the one they had when they registered."""

    def where(self, query, value):
        if value not in self.labels:
            return query
        return query.where(Registration.contact_id.in_(select(Contact.id).where(Contact.language == value)))


def chat_languages(session_maker, contact_ids: set[int]) -> dict[int, str]:
    with session_maker() as sql_session:
        return dict(sql_session.execute(select(Contact.id, Contact.language).where(Contact.id.in_(contact_ids))).all())


def _chat_language(model: Any, _attribute: str, request: Request | None = None, *_args) -> str:
    """The person's language now (see ChatLanguage); the registration's own if not known."""
    code = getattr(getattr(request, "state", None), "chat_languages", {}).get(model.contact_id, model.language)
    return str(LANGUAGES.get(code, code)) if code else ""


def filters(clock: Callable[[], dt.datetime]) -> list:
    return [
        Choices(Registration.status, STATUSES, L_("Status")),
        Distinct(Registration.municipality, L_("Comune")),
        ChatLanguage(Registration.language, LANGUAGES, L_("Language")),
        InList(Registration.sectors, choices.SECTORS, L_("Sector"), _option_label),
        Period(Registration.created_at, L_("Registration date"), clock),
    ]


class ItalianDateField(DateField):
    """A date written dd/mm/yyyy, as the office writes it (ISO is understood too). A text box:
    the browser's own date box would show and send ISO dates."""

    widget = TextInput()

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("format", ["%d/%m/%Y", "%Y-%m-%d"])
        kwargs.setdefault("render_kw", {}).update(placeholder="gg/mm/aaaa", **{"class": "form-control"})
        super().__init__(*args, **kwargs)


class RegistrationView(OfficeView, model=Registration):
    identity = "registration"
    name = L_("Registration")
    name_plural = L_("Registrations")
    icon = "fa-solid fa-id-card"
    can_edit = True

    column_list = ["code", "created_at", "status", "last_name", "first_name", "municipality", "phone", "language"]
    column_details_list = ["code", "status", "created_at", "language", "first_name", "last_name", "birth_date",
                           "tax_code", "municipality", "phone", "email", "situation", "education", "italian",
                           "sectors", "driving", "availability", "erased_at"]
    column_searchable_list = ["code", "first_name", "last_name", "tax_code", "phone", "email"]
    search_hint = L_("Search by name, code, codice fiscale or phone")  # email too; a shorter hint fits the box
    column_sortable_list = ["code", "created_at", "status", "last_name", "municipality"]
    column_default_sort = [("created_at", True)]
    column_labels = LABELS
    # "language" is the person's chat language now (Contact.language), read by every page and
    # filter and by the broadcasts; the person changes it in the chat (/language), not the office.
    column_formatters = {"status": labels(STATUSES), "language": _chat_language}
    column_formatters_detail = {"status": labels(STATUSES), "language": _chat_language,
                                **{name: choice(options) for name, options in ANSWERS.items()}}
    column_export_list = column_details_list

    form_columns = ["first_name", "last_name", "birth_date", "tax_code", "municipality", "phone", "email",
                    "situation", "education", "italian", "sectors", "driving", "availability"]
    form_overrides = {"municipality": SelectField, "birth_date": ItalianDateField,
                      **{name: SelectMultipleField if name in ("sectors", "availability") else SelectField
                         for name in ANSWERS}}

    @property
    def form_args(self) -> dict[str, dict[str, Any]]:
        """Fresh at each call: sqladmin appends its own validators to the lists it is given."""
        args = {name: {"label": LABELS[name], "validators": [InputRequired()] if name in REQUIRED else []}
                for name in self.form_columns}
        args["municipality"]["choices"] = [("", "—"), *[(name, name) for name in COMUNI]]
        for name, options in ANSWERS.items():
            args[name]["choices"] = _choices(options, blank=name not in ("sectors", "availability"))
        return args

    details_template = "office/registration_details.html"

    async def _remember_people(self, request: Request, rows) -> None:
        """Besides the names: each person's chat language, for the "language" column."""
        rows = list(rows)
        await super()._remember_people(request, rows)
        ids = {row.contact_id for row in rows}
        if ids:
            found = await anyio.to_thread.run_sync(chat_languages, self.session_maker, ids)
            request.state.chat_languages = {**getattr(request.state, "chat_languages", {}), **found}

    async def details_context(self, request: Request) -> dict[str, Any]:
        """The path so far with the forms of the next step, possible duplicates, and the
        registration's history for those who may read the audit log."""
        pk = request.path_params["pk"]
        context = {**await anyio.to_thread.run_sync(path_context, self.session_maker, pk),
                   "path_error": request.session.pop(ERROR_KEY, None), "statuses": STATUSES,
                   "can_record": roles.can(request, "registration-path", "edit"),
                   "can_merge": roles.can(request, "duplicates", "edit"),
                   **await anyio.to_thread.run_sync(documents_context, self.session_maker, pk),
                   "can_download": roles.can(request, "documents", "list")}
        if roles.can(request, "office-audit", "list"):
            context["history"] = await anyio.to_thread.run_sync(history, self.session_maker, "registration", pk)
        return context

    async def check_can_edit(self, request: Request, model: Any) -> bool:
        return await super().check_can_edit(request, model) and model.erased_at is None

    async def on_model_change(self, data: dict, model: Any, is_created: bool, request: Request) -> None:
        """The same checks as the chat's: a wrong code, phone or email is refused with the reason
        (in the operator's language)."""
        context = _Checks(current_language(), data.get("birth_date"))
        try:
            for name, check in (("tax_code", validators.tax_code), ("phone", validators.phone),
                                ("email", validators.email)):
                if data.get(name):
                    data[name] = check(str(data[name]), context)
        except Invalid as error:
            raise ValueError(error.message) from None

    @action("mark-reviewed", label=L_("Mark reviewed"), add_in_detail=True, add_in_list=True)
    async def mark_reviewed(self, request: Request):
        def run(sql_session, pks: list[str]) -> int:
            rows = sql_session.scalars(select(Registration).where(
                Registration.id.in_([int(p) for p in pks if p.isdigit()]), Registration.status == "new",
                Registration.erased_at.is_(None))).all()
            for row in rows:
                row.status = "registered"
            return len(rows)

        return await confirmed_action(
            self, request, slug="mark_reviewed", title=_("Mark reviewed"), run=run,
            question=_("These registrations will move from \"new\" to \"registered\" (only the new ones change):"),
            describe=lambda r: f"{r.code} — {r.last_name or ''} {r.first_name or ''} ({STATUSES.get(r.status, r.status)})",
            done=lambda n: _("%(n)d registrations marked reviewed.") % {"n": n})


class _Checks(SimpleNamespace):
    """What conversations.validators read from a chat step, for a form in the office."""

    def __init__(self, language: str, birth_date: dt.date | None):
        super().__init__(t=translator(language), state=SimpleNamespace(language=language),
                         answers={"birth_date": birth_date.isoformat()} if birth_date else {})
