"""Fixed answer options of the registration questionnaire (values are stored, labels shown).

Labels are short on purpose, in every language: WhatsApp allows 20 characters on a button and 24
in a list's row, which the renderer starts with its number ("9. "): 21 are left. Each label's
"# Translators:" comment says so in the catalogs; tests/test_platform_limits.py checks them.
"""
from .. import languages
from ..flow import Option
from ..i18n import N_

LANGUAGE = tuple(Option(language.code, language.native) for language in languages.ALL)  # native: no catalog entry
CONSENT = (
    # Translators: a button; WhatsApp shows at most 20 characters
    Option("yes", N_("Yes, I agree")),
    # Translators: a button; WhatsApp shows at most 20 characters
    Option("no", N_("No")),
)
SITUATION = (
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("unemployed", N_("Looking for work")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("employed", N_("Working, want other")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("student", N_("Studying")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("other", N_("Other")),
)
EDUCATION = (
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("none", N_("No school title")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("lower_secondary", N_("Middle school")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("vocational", N_("Vocational (3 yrs)")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("upper_secondary", N_("High school diploma")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("degree", N_("University degree")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("foreign", N_("Title from abroad")),
)
ITALIAN = (
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("native", N_("Mother tongue")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("good", N_("Good")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("basic", N_("Basic")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("little", N_("Little or none")),
)
SECTORS = (
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("restaurants", N_("Restaurants, bars")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("cleaning", N_("Cleaning")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("logistics", N_("Warehouse, logistics")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("retail", N_("Shops, retail")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("care", N_("Care of people")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("industry", N_("Factory, industry")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("construction", N_("Construction")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("agriculture", N_("Agriculture")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("office", N_("Office work")),
    Option("other", N_("Other")),
)
DRIVING = (
    # Translators: a button; WhatsApp shows at most 20 characters
    Option("licence_car", N_("Licence and car")),
    # Translators: a button; WhatsApp shows at most 20 characters
    Option("licence", N_("Licence, no car")),
    # Translators: a button; WhatsApp shows at most 20 characters
    Option("none", N_("No licence")),
)
AVAILABILITY = (
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("full_time", N_("Full time")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("part_time", N_("Part time")),
    # Translators: an option in a list; WhatsApp shows at most 21 characters
    Option("shifts", N_("Shifts")),
)
SUMMARY = (
    # Translators: a button; WhatsApp shows at most 20 characters
    Option("confirm", N_("Yes, register me")),
    # Translators: a button; WhatsApp shows at most 20 characters
    Option("edit", N_("Change an answer")),
)
