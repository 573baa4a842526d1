"""The words of companies and vacancies: the codes stored, and the Italian labels operators read
and type (the command line, the back office, the CSV import). Sectors, hours, Italian levels and
school titles are the registration's own options, with the Italian labels the chat shows
(conversations.flows.choices through the Italian catalog); contract types and statuses are the
programme's Italian words. Reading accepts the code, the Italian label or the English one,
without regard to case and accents."""
from __future__ import annotations

from functools import lru_cache

from conversations.engine import normalize
from conversations.flows import choices
from conversations.i18n import translator

from services.operator_input import Invalid

CONTRACTS = {"permanent": "indeterminato", "fixed_term": "determinato", "apprenticeship": "apprendistato",
             "internship": "tirocinio", "agency": "somministrazione", "other": "altro"}
CONTRACT_ALIASES = {"tempo indeterminato": "permanent", "tempo determinato": "fixed_term", "stage": "internship",
                    "interinale": "agency", "lavoro somministrato": "agency"}
STATUSES = {"open": "aperta", "in_selection": "in selezione", "closed_filled": "chiusa, coperta",
            "closed_unfilled": "chiusa, non coperta"}
CANDIDATE_STATES = {"proposed": "proposta inviata", "interested": "interessata", "declined": "non interessata",
                    "put_forward": "in selezione presso l'azienda", "hired": "assunta", "not_selected": "non selezionata",
                    "withdrew": "ritirata", "refused_contract": "ha rifiutato il contratto"}
# Why a person said "No, thanks" to a proposal (services.candidacy.REASONS), as operators read it.
DECLINE_REASONS = {"too_far": "troppo lontano", "hours": "l'orario", "contract": "il tipo di contratto",
                   "kind_of_work": "il tipo di lavoro", "pay": "la paga", "found_work": "ha trovato lavoro",
                   "other": "altro"}
# A person counts as "in another selection" while a candidacy of theirs is in one of these states.
ACTIVE_STATES = ("proposed", "interested", "put_forward")
# Levels from the lowest; "foreign" (a title from abroad) is not ranked: an operator checks it.
ITALIAN_ORDER = ("little", "basic", "good", "native")
EDUCATION_ORDER = ("none", "lower_secondary", "vocational", "upper_secondary", "degree")


@lru_cache(maxsize=None)
def labels(kind: str) -> dict[str, str]:
    """code -> Italian label, for sector, hours, italian, education (the chat's), contract, status."""
    if kind == "contract":
        return dict(CONTRACTS)
    if kind == "status":
        return dict(STATUSES)
    options = {"sector": choices.SECTORS, "hours": choices.AVAILABILITY, "italian": choices.ITALIAN,
               "education": choices.EDUCATION}[kind]
    t = translator("it")
    return {option.value: t.gettext(option.label) for option in options}


@lru_cache(maxsize=None)
def _words(kind: str) -> dict[str, str]:
    words = {normalize(code.replace("_", " ")): code for code in labels(kind)}
    words |= {normalize(label): code for code, label in labels(kind).items()}
    if kind in ("sector", "hours", "italian", "education"):
        options = {"sector": choices.SECTORS, "hours": choices.AVAILABILITY, "italian": choices.ITALIAN,
                   "education": choices.EDUCATION}[kind]
        words |= {normalize(option.label): option.value for option in options}  # the English labels
    if kind == "contract":
        words |= CONTRACT_ALIASES
    return words


WHAT = {"sector": "settore", "hours": "orario", "italian": "livello di italiano", "education": "titolo di studio",
        "contract": "tipo di contratto", "status": "stato"}


def read(kind: str, text: str) -> str:
    """The code of an operator's word; Invalid (Italian, listing the words) when unknown."""
    code = _words(kind).get(normalize(text.replace("_", " ")))
    if code is None:
        allowed = " / ".join(labels(kind).values())
        raise Invalid(f"{WHAT[kind]} sconosciuto «{text}» (ammessi: {allowed})", reason=kind)
    return code


def label(kind: str, code: str | None) -> str:
    return labels(kind).get(code or "", code or "-")


def at_least(order: tuple[str, ...], have: str | None, wanted: str | None) -> bool | None:
    """Whether level ``have`` reaches ``wanted``; None when it cannot be said (not given, not ranked)."""
    if not wanted:
        return True
    if have not in order or wanted not in order:
        return None
    return order.index(have) >= order.index(wanted)
