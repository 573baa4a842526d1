"""How the operators read a match (services.matching), in Italian: one line per person saying
why they rank where they do, and the reasons people were left out."""
from __future__ import annotations

from services import placement_words as words

EXCLUDED = {
    "erased": "hanno cancellato i propri dati",
    "stopped": "hanno scritto /stop (nessun avviso)",
    "offers_off": "hanno disattivato le offerte di lavoro",
    "placed": "già assunti",
    "closed": "percorso chiuso",
    "merged": "registrazioni unite a un'altra",
    "already_here": "già proposti per questa offerta",
    "licence": "senza patente (richiesta)",
    "car": "senza auto (richiesta)",
    "italian": "italiano sotto il livello richiesto",
    "education": "titolo di studio sotto quello richiesto",
    "far": "troppo lontani",
    "sector": "non hanno scelto il settore",
    "hours": "non disponibili per l'orario",
    "not_interviewed": "senza colloquio",
    "busy": "già in un'altra selezione",
}
VERIFY = {"licence": "patente", "car": "auto", "italian": "italiano", "education": "titolo di studio"}


class Explainer:
    """ "78 punti: ha scelto Pulizie; disponibile turni; abita a Imola (12 km); colloquio fatto;
    non in altre selezioni." for each person matched to ``vacancy``. Many people share a line
    (same comune, same answers): each line is made once."""

    def __init__(self, vacancy):
        sector, hours = words.label("sector", vacancy.sector), words.label("hours", vacancy.hours).lower()
        self.sector = {True: f"ha scelto {sector}", False: f"non ha scelto {sector}", None: "settori non indicati"}
        self.hours = {True: f"disponibile {hours}", False: f"non disponibile {hours}",
                      None: "disponibilità non indicata"}
        self.lines: dict[tuple, str] = {}

    def __call__(self, person) -> str:
        key = (person.score, person.municipality, None if person.km is None else round(person.km),
               person.interviewed, person.other_selections, person.answers)
        if key not in self.lines:
            self.lines[key] = self._line(person, person.checks)
        return self.lines[key]

    def _line(self, person, checks) -> str:
        parts = [self.sector[checks["sector"]], self.hours[checks["hours"]]]
        if person.km is None:
            parts.append("comune non indicato" if not person.municipality else f"abita a {person.municipality}")
        elif person.km < 1:
            parts.append(f"abita a {person.municipality}, stesso comune")
        else:
            parts.append(f"abita a {person.municipality} ({person.km:.0f} km)")
        parts.append("colloquio fatto" if person.interviewed else "colloquio non ancora fatto")
        if person.other_selections:
            parts.append("già in un'altra selezione" if person.other_selections == 1
                         else f"già in {person.other_selections} altre selezioni")
        else:
            parts.append("non in altre selezioni")
        unmet = [VERIFY[key] for key in VERIFY if checks[key] is False]
        unknown = [VERIFY[key] for key in VERIFY if checks[key] is None]
        if unmet:
            parts.append("requisiti non soddisfatti: " + ", ".join(unmet))
        if unknown:
            parts.append("da verificare: " + ", ".join(unknown))
        return f"{person.score} punti: " + "; ".join(parts) + "."


def excluded_line(excluded: dict[str, int]) -> str:
    """ "Esclusi: 3 già assunti, 2 hanno scritto /stop (nessun avviso)." or an empty string."""
    if not excluded:
        return ""
    return "Esclusi: " + ", ".join(f"{count} {EXCLUDED.get(reason, reason)}"
                                   for reason, count in sorted(excluded.items(), key=lambda kv: -kv[1])) + "."
