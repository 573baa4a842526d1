"""The registry of the job seekers' languages (conversations.languages) is the only list: every
language has its catalog, the bot offers exactly these, and no other module writes its own."""
from __future__ import annotations

import re

import pytest
from babel.support import Translations

from conversations import languages
from conversations.i18n import LOCALES_DIR, translator
from conversations.languages import Language
from handlers.whatsapp_outbox import language_for
from tests.conftest import ROOT
from tests.registration_helpers import NATIVE, reach, rows, step_of
from store.models import Contact

# Where the source is searched for lists of language codes, and the one list allowed outside the
# registry: the back office's own interface languages, which are not the job seekers'.
SEARCHED = ("bot", "handlers", "backoffice", "services", "store", "conversations", "scripts", "bench")
NOT_SEARCHED = {"conversations/languages.py"}
ALLOWED_LINES = {("backoffice/i18n.py", "OFFICE_LANGUAGES = ")}


@pytest.mark.parametrize("code", languages.CODES)
def test_every_language_has_a_compiled_catalog(code):
    assert (LOCALES_DIR / code / "LC_MESSAGES" / "messages.po").is_file()
    assert (LOCALES_DIR / code / "LC_MESSAGES" / "messages.mo").is_file(), "compile the catalogs"
    t = translator(code)
    assert t.language == code and isinstance(t._catalog, Translations)  # not gettext's silent fallback


def test_the_registry_is_consistent():
    assert languages.DEFAULT in languages.CODES
    assert len(set(languages.CODES)) == len(languages.CODES)
    assert [language.code for language in languages.others()] == [c for c in languages.CODES if c != languages.DEFAULT]
    for language in languages.ALL:
        assert language.direction in ("ltr", "rtl") and language.whatsapp and language.native
    assert languages.get("xx").code == languages.get(None).code == languages.DEFAULT


def test_direction_and_names_come_from_babel():
    arabic = Language("ar", "العربية", locale="ar", whatsapp="ar")
    assert (arabic.direction, languages.get("it").direction, languages.get("en").direction) == ("rtl", "ltr", "ltr")
    english = languages.get("en")
    assert (english.name_in("it"), english.label_in("it"), english.name_in("en")) == ("inglese", "Inglese", "English")
    assert {"Italiano", "italiano", "Italian"} <= languages.get("it").names()


@pytest.mark.parametrize("tag, code", [("en-GB", "en"), ("it_IT", "it"), ("EN", "en"), (" it ", "it"),
                                       ("de", None), ("", None), (None, None)])
def test_a_language_tag_is_read_by_its_primary_language(tag, code):
    assert languages.from_tag(tag) == code


def test_the_first_question_offers_exactly_the_registry_by_native_name(chat, db):
    chat.say("/start")
    assert chat.labels == NATIVE
    assert step_of(db) == "language"


def test_the_language_command_offers_exactly_the_registry_by_native_name(chat, db):
    reach(chat)
    chat.say("/language")
    assert chat.labels == NATIVE
    for language in languages.ALL:
        chat.say("/language")
        chat.press(language.native)
        assert rows(db, Contact)[0].language == language.code


@pytest.mark.parametrize("typed, code", [("inglese", "en"), ("INGLESE ", "en"), ("Italian", "it"), ("italiano", "it")])
def test_the_language_can_be_named_in_any_registry_language(chat, db, typed, code):
    chat.say("ciao")
    chat.say(typed)
    assert step_of(db) == "consent"
    assert rows(db, Contact)[0].language == code


def test_a_language_the_bot_does_not_speak_is_asked_again(chat, db):
    chat.say("ciao")
    chat.say("Deutsch")
    assert chat.replies[0].text == translator(None).gettext(
        "Please tap one of the buttons, or type its number (1 to {count}).").format(count=len(NATIVE))
    assert step_of(db) == "language" and chat.labels == NATIVE


def _listings(text: str) -> list[str]:
    """Lines that write two or more language codes of the registry as a collection: ("it", "en"),
    {"it": ..., "en": ...}, choices=["it", "en"], <option value="it">...<option value="en">."""
    codes = "|".join(re.escape(code) for code in languages.CODES)
    literal = re.compile(rf"""(["'])({codes})\1\s*[,:\])}}]|value=(["'])({codes})\3""")
    found = []
    for line in text.splitlines():
        written = {m.group(2) or m.group(4) for m in literal.finditer(line)}
        if len(written) >= 2:
            found.append(line.strip())
    return found


def test_the_listing_check_catches_what_it_should():
    assert _listings('LANGUAGES = ("it", "en")\nx = 1')
    assert _listings("    texts = {'it': args.text_it, 'en': args.text_en}")
    assert _listings('choices=["en", "it"], default="it"')
    assert _listings('<option value="it">italiano</option><option value="en">English</option>')
    assert not _listings('language = "it" if i % 3 else "en"\nTranslator("it")')


def test_no_module_writes_its_own_list_of_languages():
    offenders = []
    for folder in SEARCHED:
        for path in sorted((ROOT / folder).rglob("*")):
            relative = path.relative_to(ROOT).as_posix()
            if path.suffix not in (".py", ".html") or relative in NOT_SEARCHED or "migrations" in path.parts:
                continue
            for line in _listings(path.read_text("utf-8")):
                if not any(relative == allowed and marker in line for allowed, marker in ALLOWED_LINES):
                    offenders.append(f"{relative}: {line}")
    assert offenders == [], "read conversations.languages instead"


@pytest.mark.parametrize("language, approved, code", [("en", "it,en", "en"), ("en", "it", "it"), ("it", "en, it", "it"),
                                                      ("uk", "en,it", "en"), (None, "", "it")])
def test_whatsapp_templates_go_in_the_registry_code_of_the_person_language_when_approved(language, approved, code):
    assert language_for(language, approved) == code


@pytest.mark.parametrize("code", languages.CODES)
def test_every_language_can_be_typed_in_italian_english_or_itself(service, code):
    """#14: "arabo", "Arabic" or "العربية" picks Arabic at the first question."""
    from tests.conftest import Chat

    language = languages.get(code)
    for n, typed in enumerate({language.name_in("it"), language.name_in("en"), language.native,
                               language.native.upper()}):
        chat = Chat(service, external_id=f"{code}-{n}")
        chat.say("ciao")
        chat.say(typed)
        assert translator(code).gettext("Do you agree?") in chat.text, typed
