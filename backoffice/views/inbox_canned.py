"""The inbox's canned replies as a table admins edit (a title, a language of the job seekers, the
text); operators insert them with one click on a conversation's page (backoffice.views.inbox_pages)."""
from __future__ import annotations

from typing import Any

from starlette.requests import Request
from wtforms import SelectField, TextAreaField

from conversations import languages
from store.models import InboxCannedReply

from backoffice.i18n import L_, _, person_language
from backoffice.views.common import OfficeView

MAX_TEXT = 2000


def _language(model: Any, attribute: str, *_args) -> str:
    return person_language(getattr(model, attribute))


class CannedReplyView(OfficeView, model=InboxCannedReply):
    identity = "inbox-canned-reply"
    name = L_("Canned reply")
    name_plural = L_("Canned replies")
    icon = "fa-solid fa-comment-dots"
    category = L_("Office")
    can_create = True
    can_edit = True
    can_delete = True
    can_export = False

    column_list = ["title", "language", "text", "updated_at"]
    column_details_list = ["id", "title", "language", "text", "updated_at"]
    column_sortable_list = ["title", "language"]
    column_default_sort = [("language", False), ("title", False)]
    column_labels = {"title": L_("Title"), "language": L_("Language"), "text": L_("Text"),
                     "updated_at": L_("Changed on")}
    column_formatters = column_formatters_detail = {"language": _language}
    form_columns = ["title", "language", "text"]
    form_overrides = {"language": SelectField, "text": TextAreaField}
    form_args = {"language": {"choices": [(code, code) for code in languages.CODES], "label": L_("Language")},
                 "title": {"label": L_("Title")}, "text": {"label": L_("Text")}}

    async def on_model_change(self, data: dict, model: Any, is_created: bool, request: Request) -> None:
        if data.get("language") not in languages.CODES:
            raise ValueError(_("Unknown language."))
        title, text = str(data.get("title") or "").strip(), str(data.get("text") or "").strip()
        if not title or not text or len(title) > 80 or len(text) > MAX_TEXT:
            raise ValueError(_("A title (up to 80 characters) and a text (up to 2000) are needed."))
        data["title"], data["text"] = title, text
        model.updated_at = self.clock()
