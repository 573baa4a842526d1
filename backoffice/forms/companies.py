"""The forms of companies and vacancies. The fields are read here; what they must hold (a valid
partita IVA, one of the 55 comuni, the chat's sectors) is services.company_input's check, which
the services run on every write, so the office, the command line and the import agree."""
from __future__ import annotations

from typing import Any

from wtforms import Field

from backoffice.forms.fields import Choice, Flag, OfficeForm, Text, Whole, typed
from backoffice.i18n import L_, _
from services import company_input, placement_words as words
from services.operator_input import Invalid, parse_day

LARGEST_ID = 2**62


class OptionalDay(Field):
    """A date, or nothing."""

    def process_formdata(self, valuelist: list) -> None:
        text, self.data = typed(valuelist), None
        if text:
            try:
                self.data = parse_day(text)
            except Invalid:
                raise ValueError(_("Write the date as dd/mm/yyyy.")) from None


class CompanyForm(OfficeForm):
    name = Text(limit=200, required=L_("Write the company's name."))
    vat_number = Text(limit=20, required=L_("Write the VAT number (partita IVA)."))
    sector = Choice(choices=words.labels("sector"), message=L_("Choose the sector."))
    municipality = Text(limit=60, required=L_("Write the comune."))
    address = Text(limit=company_input.LIMITS["address"])
    contact_person = Text(limit=company_input.LIMITS["contact_person"])
    phone = Text(limit=40)
    email = Text(limit=254)
    source = Text(limit=company_input.LIMITS["source"])
    notes = Text(limit=company_input.LIMITS["notes"])
    company = Whole(low=1, high=LARGEST_ID, what=L_("Company"), empty=0)

    def fields(self) -> dict[str, Any]:
        return {name: self[name].data for name in ("name", "vat_number", "sector", "municipality", "address",
                                                   "contact_person", "phone", "email", "source", "notes")}


class VacancyForm(OfficeForm):
    company = Whole(low=1, high=LARGEST_ID, message=L_("Choose the company."))
    role = Text(limit=company_input.LIMITS["role"], required=L_("Write the role."))
    sector = Choice(choices=words.labels("sector"), message=L_("Choose the sector."))
    municipality = Text(limit=60, required=L_("Write the comune where the work is."))
    contract_type = Choice(choices=words.labels("contract"), message=L_("Choose the contract type."))
    hours = Choice(choices=words.labels("hours"), message=L_("Choose the hours."))
    start_date = OptionalDay()
    places = Whole(low=1, high=company_input.MAX_PLACES, what=L_("Places"), empty=1)
    needs_licence = Flag()
    needs_car = Flag()
    italian = Choice(choices=words.labels("italian"), message=L_("Choose the Italian level."), optional=True)
    education = Choice(choices=words.labels("education"), message=L_("Choose the school title."), optional=True)
    description = Text(limit=company_input.LIMITS["description"])
    status = Choice(choices=words.labels("status"), message=L_("Choose the status."), empty="open")
    vacancy = Whole(low=1, high=LARGEST_ID, what=L_("Vacancy"), empty=0)

    def fields(self) -> dict[str, Any]:
        data = {name: self[name].data for name in ("role", "sector", "municipality", "contract_type", "hours",
                                                   "start_date", "places", "needs_licence", "needs_car", "italian",
                                                   "education", "description", "status")}
        data["needs_licence"] = data["needs_licence"] or data["needs_car"]  # a car to drive needs a licence
        return data
