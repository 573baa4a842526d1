"""Operator accounts (admins only): create one (its password is shown once), change role or
deactivate (which ends its sessions), reset a password; and everyone's own password page."""
from __future__ import annotations

from typing import Any

import anyio
from sqladmin import BaseView, Flash, action, expose
from sqladmin.secret import Secret
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from wtforms import SelectField

from store.models import utcnow
from store.models import ROLES, OfficeOperator

from services.office import accounts, audit, logins, passwords
from backoffice.auth import SESSION_TOKEN, client_ip
from backoffice.i18n import L_, _
from backoffice.views.common import OfficeView, labels

ROLE_LABELS = {"admin": L_("Administrator"), "operator": L_("Operator"), "viewer": L_("Viewer (read only)")}


class AccountView(OfficeView, model=OfficeOperator):
    identity = "office-operator"
    name = L_("Operator account")
    name_plural = L_("Operator accounts")
    icon = "fa-solid fa-users-gear"
    category = L_("Office")
    can_create = True
    can_edit = True
    can_export = True  # admins only, as the view; the details' columns: no password hashes

    column_list = ["username", "full_name", "role", "active", "last_login_at"]
    column_details_list = ["id", "username", "full_name", "role", "active", "created_at", "password_changed_at",
                           "last_login_at"]
    column_searchable_list = ["username", "full_name"]
    column_sortable_list = ["username", "role", "last_login_at"]
    column_labels = {"username": L_("Username"), "full_name": L_("Full name"), "role": L_("Role"),
                     "active": L_("Active"), "last_login_at": L_("Last login"), "created_at": L_("Created on"),
                     "password_changed_at": L_("Password changed on")}
    column_formatters = column_formatters_detail = {"role": labels(ROLE_LABELS)}
    form_columns = ["username", "full_name", "role", "active"]
    form_create_rules = ["username", "full_name", "role"]
    form_edit_rules = ["full_name", "role", "active"]
    form_overrides = {"role": SelectField}
    form_args = {"role": {"choices": list(ROLE_LABELS.items()), "label": L_("Role")},
                 "username": {"label": L_("Username")}, "full_name": {"label": L_("Full name")},
                 "active": {"label": L_("Active")}}

    async def on_model_change(self, data: dict, model: Any, is_created: bool, request: Request) -> None:
        if data.get("role") not in ROLES:
            raise ValueError(_("Unknown role."))
        if is_created:
            username = accounts.normalize_username(str(data.get("username") or ""))
            if not accounts.USERNAME.match(username):
                raise ValueError(_("A username has up to 60 characters: lowercase letters, digits and . _ @ -"))
            data["username"] = username
            password = passwords.random_password()
            model.password_hash = passwords.hash_password(password)
            model.created_at = model.password_changed_at = self.clock()
            request.state.new_password = password
            return
        me = request.state.operator
        if model.id == me.id and (data.get("role") != "admin" or data.get("active") is False):
            raise ValueError(_("You cannot take away your own admin role or deactivate yourself."))
        if data.get("active") is False:
            logins.close_all(object_session(model), model.id)

    async def insert_model(self, request: Request, data: dict) -> Any:
        username = accounts.normalize_username(str(data.get("username") or ""))
        if await anyio.to_thread.run_sync(self._taken, username):
            raise ValueError(_("This username is taken."))
        return await super().insert_model(request, data)

    def _taken(self, username: str) -> bool:
        with self.session_maker() as sql_session:
            return sql_session.scalar(select(OfficeOperator.id).where(OfficeOperator.username == username)) is not None

    async def after_model_change(self, data: dict, model: Any, is_created: bool, request: Request):
        password = getattr(request.state, "new_password", None)
        if is_created and password:
            Secret.reveal_once(request, password, title=_("Password of %(user)s") % {"user": model.username},
                               label=_("Give it to the person: it is shown only now. They can change it "
                                       "from \"My password\"."))

    @action("reset-password", label=L_("Reset password"), add_in_list=False, add_in_detail=True)
    async def reset_password(self, request: Request) -> Response:
        pks = [p for p in request.query_params.get("pks", "").split(",") if p.isdigit()][:1]
        back = str(request.url_for("admin:list", identity=self.identity))
        if not pks:
            return RedirectResponse(back, status_code=302)
        if request.method != "POST":
            found = await anyio.to_thread.run_sync(self._username, int(pks[0]))
            return await self.templates.TemplateResponse(request, "office/confirm.html", {
                "title": _("Reset password"), "rows": [found or "?"], "back": back, "model_view": self,
                "question": _("A new password replaces the old one, and the account's sessions end:")})
        username, password = await anyio.to_thread.run_sync(self._reset, int(pks[0]))
        response = await self.templates.TemplateResponse(request, "office/secret.html", {
            "title": _("Password of %(user)s") % {"user": username}, "secret": password, "back": back})
        Secret.apply_no_store_headers(response)
        return response

    def _username(self, operator_id: int) -> str | None:
        with self.session_maker() as sql_session:
            found = sql_session.get(OfficeOperator, operator_id)
            return found.username if found else None

    def _reset(self, operator_id: int) -> tuple[str, str]:
        password = passwords.random_password()
        with self.session_maker() as sql_session:
            operator = sql_session.get(OfficeOperator, operator_id)
            accounts.set_password(sql_session, operator, password, now=self.clock(), actor=audit.current_actor.get(),
                                  action="password_reset")
            sql_session.commit()
            return operator.username, password


class PasswordView(BaseView):
    """Everyone's own password."""

    name = L_("My password")
    icon = "fa-solid fa-key"
    category = L_("Office")
    db_engine = None
    clock = staticmethod(utcnow)

    @expose("/password", methods=["GET", "POST"], identity="password")
    async def password(self, request: Request) -> Response:
        error = None
        if request.method == "POST":
            form = await request.form()
            current, new, again = (str(form.get(k, ""))[:1000] for k in ("current", "new", "again"))
            if new != again:
                error = _("The two new passwords differ.")
            else:
                error, token = await anyio.to_thread.run_sync(self._change, request.state.operator.username,
                                                              current, new, client_ip(request))
                if token:
                    request.session[SESSION_TOKEN] = token
                    Flash.success(request, _("Password changed."))
                    return RedirectResponse(request.url_for("admin:index"), status_code=303)
        return await self.templates.TemplateResponse(request, "office/password.html", {"error": error},
                                                     status_code=400 if error else 200)

    def _change(self, username: str, current: str, new: str, ip: str | None) -> tuple[str | None, str | None]:
        now = self.clock()
        with Session(self.db_engine) as sql_session:
            result = accounts.check_login(sql_session, username=username, password=current, ip=ip, now=now,
                                            logging_in=False)
            if result.operator is None:
                sql_session.commit()  # the failure counts against guessing
                return _("The current password is wrong."), None
            try:
                accounts.set_password(sql_session, result.operator, new, now=now, actor=audit.current_actor.get())
            except accounts.AccountError as problem:
                sql_session.rollback()
                return _(str(problem)), None
            token = logins.open_session(sql_session, result.operator.id, now=now)
            sql_session.commit()
            return None, token
