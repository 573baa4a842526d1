"""The broadcast's compose form, in three parts read in the order the operator reads the page:
the texts (one per language, Italian required), the audience (its filters), and when to send
(now, or a Rome date and time in the future)."""
from __future__ import annotations

from wtforms.validators import ValidationError

from backoffice.forms.fields import Choice, Flag, OfficeForm, Text, Whole
from backoffice.i18n import L_, _, person_language, person_languages
from conversations import languages, municipalities
from services import agenda, broadcasts
from services.audience import CHANNELS, Audience
from services.operator_input import Invalid, parse_datetime

LANGUAGE_NAMES = person_languages()
WORKSHOP_MISSING = L_("This workshop session does not exist.")


def no_default_text() -> str:
    return _("Write the text in %(language)s: it is required (who chats in another language gets it when "
             "there is no text in theirs).") % {"language": person_language(languages.DEFAULT, in_text=True)}


class TextsForm(OfficeForm):
    """``text_<code>`` for each of the job seekers' languages (fields added below); the
    programme's language is required."""

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        first = self[f"text_{languages.DEFAULT}"]
        if not first.data:
            first.errors.append(no_default_text())
            return False
        for language in languages.CODES:
            field = self[f"text_{language}"]
            if len(field.data) > broadcasts.MAX_TEXT:
                field.errors.append(_("Text too long: %(count)s characters, at most %(max)s (%(language)s).")
                                    % {"language": LANGUAGE_NAMES[language], "count": len(field.data),
                                       "max": broadcasts.MAX_TEXT})
                return False
        return True

    def texts(self) -> dict[str, str]:
        """The languages written, each its text."""
        return {code: self[f"text_{code}"].data for code in languages.CODES if self[f"text_{code}"].data}


for _code in languages.CODES:
    setattr(TextsForm, f"text_{_code}", Text())


class Municipality(Text):
    """A comune of the Città metropolitana, forgiving typos as the command line does; None if empty."""

    def process_formdata(self, valuelist: list) -> None:
        super().process_formdata(valuelist)
        typed, self.data = self.data[:100], None
        if not typed:
            return
        found = municipalities.find(typed)
        if found.name:
            self.data = found.name
        elif found.outside:
            raise ValueError(_("%(name)s is not a comune of the Città metropolitana di Bologna.")
                             % {"name": found.outside})
        elif found.suggestions:
            raise ValueError(_("Comune not recognised: %(typed)s (perhaps: %(suggestions)s?)")
                             % {"typed": typed, "suggestions": ", ".join(found.suggestions)})
        else:
            raise ValueError(_("Comune not recognised: %(typed)s") % {"typed": typed})


class AudienceForm(OfficeForm):
    """The filters; whether the workshop session exists is for the page to ask (it is in the database)."""

    workshop = Whole(low=1, high=10**18 - 1, message=WORKSHOP_MISSING, empty=0)
    with_waitlist = Flag()
    not_interviewed = Flag()
    language = Choice(choices=languages.CODES, message=L_("Choose the language."), optional=True)
    channel = Choice(choices=CHANNELS, message=L_("Choose the channel."), optional=True)
    municipality = Municipality()

    def audience(self) -> Audience:
        workshop = self.workshop.data or None
        return Audience(not_interviewed=self.not_interviewed.data, workshop=workshop,
                        with_waitlist=self.with_waitlist.data and workshop is not None,
                        language=self.language.data, channel=self.channel.data, municipality=self.municipality.data)


class WhenForm(OfficeForm):
    """Now, or later at a Rome date and time: ``send_at`` is then a UTC instant, None for now."""

    when = Text()
    send_at = Text()

    def validate_send_at(self, field) -> None:
        if self.when.data != "later":
            field.data = None
            return
        try:
            day, time = parse_datetime(field.data)
        except Invalid:
            raise ValidationError(_("Write the date and time of sending as dd/mm/yyyy hh:mm.")) from None
        field.data = agenda.local(day, time)
        if field.data <= self.now:
            raise ValidationError(_("That time is already past."))
