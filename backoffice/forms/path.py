"""The path's step form on a registration's page: which step, on which day, and what it needs
(the company and contract of a placement, the reason for closing, a note)."""
from __future__ import annotations

from backoffice.forms.fields import Choice, Day, OfficeForm, Text
from backoffice.i18n import L_
from services import programme


class StepForm(OfficeForm):
    kind = Choice(choices=programme.KINDS, message=L_("Choose the step."))
    day = Day()
    company = Text(limit=200)
    contract_type = Text(limit=40)
    reason = Text(limit=40)
    note = Text(limit=2000)
