"""The 55 comuni of the Città metropolitana di Bologna, and typo-tolerant matching."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .engine import normalize

COMUNI = (
    "Alto Reno Terme", "Anzola dell'Emilia", "Argelato", "Baricella", "Bentivoglio", "Bologna",
    "Borgo Tossignano", "Budrio", "Calderara di Reno", "Camugnano", "Casalecchio di Reno",
    "Casalfiumanese", "Castel d'Aiano", "Castel del Rio", "Castel di Casio",
    "Castel Guelfo di Bologna", "Castel Maggiore", "Castel San Pietro Terme", "Castello d'Argile",
    "Castenaso", "Castiglione dei Pepoli", "Crevalcore", "Dozza", "Fontanelice", "Gaggio Montano",
    "Galliera", "Granarolo dell'Emilia", "Grizzana Morandi", "Imola", "Lizzano in Belvedere",
    "Loiano", "Malalbergo", "Marzabotto", "Medicina", "Minerbio", "Molinella", "Monghidoro",
    "Monte San Pietro", "Monterenzio", "Monzuno", "Mordano", "Ozzano dell'Emilia", "Pianoro",
    "Pieve di Cento", "Sala Bolognese", "San Benedetto Val di Sambro", "San Giorgio di Piano",
    "San Giovanni in Persiceto", "San Lazzaro di Savena", "San Pietro in Casale",
    "Sant'Agata Bolognese", "Sasso Marconi", "Valsamoggia", "Vergato", "Zola Predosa",
)
_NORMALIZED = {normalize(name): name for name in COMUNI}
# Italy's other comuni, for "that is outside our area": built by scripts/update_tables.py
OTHER_COMUNI = Path(__file__).resolve().parent / "other_comuni.json"
ACCEPT = 86      # a match this good, and clearly ahead of the next one, is taken
SUGGEST = 70     # matches this good are offered as choices


@dataclass(frozen=True)
class Match:
    name: str | None = None                # the comune, when sure
    suggestions: tuple[str, ...] = ()      # when unsure
    outside: str | None = None             # a real Italian comune outside the area


def find(text: str) -> Match:
    wanted = normalize(text).replace("s. ", "san ").replace("sant ", "sant'")
    if wanted in _NORMALIZED:
        return Match(name=_NORMALIZED[wanted])
    from rapidfuzz import process  # here, not at the top: ~30 ms of start-up, and exact names skip it

    scored = process.extract(wanted, list(_NORMALIZED), scorer=_score, limit=4)
    best = scored[0] if scored else None
    outside = _outside_area(wanted)
    if outside and (best is None or best[1] < 95):
        return Match(outside=outside)
    if best and best[1] >= ACCEPT and (len(scored) == 1 or best[1] - scored[1][1] >= 4):
        return Match(name=_NORMALIZED[best[0]])
    suggestions = tuple(_NORMALIZED[key] for key, score, _ in scored if score >= SUGGEST)[:3]
    return Match(suggestions=suggestions)


def _score(wanted: str, name: str, **_) -> float:
    """Whole-name similarity, or the name's first words ("san lazaro" ~ "San Lazzaro di Savena")."""
    head = " ".join(name.split()[: len(wanted.split())])
    from rapidfuzz import fuzz

    return max(fuzz.WRatio(wanted, name), fuzz.ratio(wanted, head))


def _outside_area(wanted: str) -> str | None:
    """The name of an Italian comune outside the metropolitan city, if ``wanted`` is one."""
    return _italian_comuni().get(wanted)


@lru_cache(maxsize=1)
def _italian_comuni() -> dict[str, str]:
    """Active Italian comuni outside Bologna's area (normalised name -> name), from the table."""
    names = json.loads(OTHER_COMUNI.read_text(encoding="utf-8"))
    return {normalize(name): name for name in names}


def other_comuni_from_source() -> list[str]:
    """The table's names from python-codicefiscale's data: every comune ever, with its history,
    25 MB while read; ``scripts/update_tables.py`` keeps the active ones outside Bologna's area."""
    from importlib import resources

    data = resources.files("codicefiscale").joinpath("data/municipalities.json").read_text("utf-8")
    return sorted({m["name"] for m in json.loads(data) if m.get("active") and m.get("province") != "BO"})
