"""Fixed answer options of the registration questionnaire (values are stored, labels shown).

Labels are short on purpose: WhatsApp allows 20 characters on a button and 24 in a list.
"""
from .. import languages
from ..flow import Option
from ..i18n import N_

LANGUAGE = tuple(Option(language.code, language.native) for language in languages.ALL)  # native: no catalog entry
CONSENT = (Option("yes", N_("Yes, I agree")), Option("no", N_("No")))
SITUATION = (
    Option("unemployed", N_("Looking for work")),
    Option("employed", N_("Working, want other")),
    Option("student", N_("Studying")),
    Option("other", N_("Other")),
)
EDUCATION = (
    Option("none", N_("No school title")),
    Option("lower_secondary", N_("Middle school")),
    Option("vocational", N_("Vocational (3 yrs)")),
    Option("upper_secondary", N_("High school diploma")),
    Option("degree", N_("University degree")),
    Option("foreign", N_("Title from abroad")),
)
ITALIAN = (
    Option("native", N_("Mother tongue")),
    Option("good", N_("Good")),
    Option("basic", N_("Basic")),
    Option("little", N_("Little or none")),
)
SECTORS = (
    Option("restaurants", N_("Restaurants, bars")),
    Option("cleaning", N_("Cleaning")),
    Option("logistics", N_("Warehouse, logistics")),
    Option("retail", N_("Shops, retail")),
    Option("care", N_("Care of people")),
    Option("industry", N_("Factory, industry")),
    Option("construction", N_("Construction")),
    Option("agriculture", N_("Agriculture")),
    Option("office", N_("Office work")),
    Option("other", N_("Other")),
)
DRIVING = (
    Option("licence_car", N_("Licence and car")),
    Option("licence", N_("Licence, no car")),
    Option("none", N_("No licence")),
)
AVAILABILITY = (
    Option("full_time", N_("Full time")),
    Option("part_time", N_("Part time")),
    Option("shifts", N_("Shifts")),
)
SUMMARY = (Option("confirm", N_("Yes, register me")), Option("edit", N_("Change an answer")))
