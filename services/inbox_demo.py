"""Demo canned replies for the inbox (``python -m bot demo``), in Italian and English: added once,
when there are none, for admins to edit in the back office."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlmodel import Session

from store.models import InboxCannedReply

CANNED = (
    ("it", "Orari dell'ufficio", "L'ufficio di Insieme per il lavoro è aperto dal lunedì al venerdì, dalle 9 alle 13 "
                                "e dalle 14 alle 17 (festivi esclusi)."),
    ("it", "Documenti per il colloquio", "Al colloquio porta un documento d'identità, il codice fiscale, il permesso "
                                         "di soggiorno se ce l'hai e, se puoi, il curriculum."),
    ("it", "Ti chiamiamo noi", "Grazie del messaggio. Ti chiamiamo al numero che ci hai dato nei prossimi giorni "
                               "lavorativi."),
    ("en", "Office hours", "The Insieme per il lavoro office is open Monday to Friday, 9:00-13:00 and 14:00-17:00 "
                           "(public holidays excluded)."),
    ("en", "Documents for the interview", "Please bring an identity document, your codice fiscale, your residence "
                                          "permit if you have one and, if you can, your CV."),
)


def load(sql_session: Session, *, now: dt.datetime) -> int:
    """The demo's canned replies when none exist; how many were added."""
    if sql_session.scalar(select(func.count()).select_from(InboxCannedReply)):
        return 0
    sql_session.add_all([InboxCannedReply(language=language, title=title, text=text, updated_at=now)
                         for language, title, text in CANNED])
    sql_session.flush()
    return len(CANNED)
