"""Which topic of the programme information a typed message asks about (#15): keywords and
fuzzy matching per language, with rapidfuzz, no outside service.

Each topic has, per language, words and phrases ("orari", "quando apre", "dove siete"). The
message and the phrases are compared word by word, after lower-casing and dropping accents and
punctuation: a phrase counts when every one of its words is in the message, the same or nearly
(typos: "uficio", "qundo", "documneti"; words of 3 letters or fewer only exactly, those of 4
or 5 only with a letter more or less, so "deve" is not "dove", nor "being" "bring"). A topic
scores the letters of its phrases found, weighted by how close they were; the best topic wins
when it reaches MIN_SCORE. Every language's phrases are tried, so someone who writes in English while
the bot speaks Italian to them is understood; the answer comes in the person's language when
that language's phrases found the topic too, else in the language that found it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from . import languages
from .choosing import normalize
from .info_store import InfoTopic

MIN_SCORE = 3.5  # "orari" (5 letters) is enough, "dove" (4) too, even as "dovee"
_WORD = re.compile(r"\w+")
# Greetings, thanks and little words: a message made only of these asks nothing.
GREETINGS = frozenset(normalize(word) for word in """
    ciao salve buongiorno buonasera buonanotte grazie ok okay si no hello hi hey good morning
    evening afternoon thanks thank you bonjour bonsoir salut merci hola buenos buenas dias tardes
    noches gracias buna ziua seara neata multumesc привіт вітаю добрий день дякую мир
    مرحبا اهلا السلام عليكم سلام شكرا شکریہ আসসালামু আলাইকুম নমস্কার হ্যালো ধন্যবাদ assalam
    salam alaikum aleikum namaste
    """.split())


@dataclass(frozen=True)
class Found:
    topic: InfoTopic
    language: str   # the language whose text to answer with
    score: float


def words(text: str) -> list[str]:
    return _WORD.findall(normalize(text))


def is_greeting(text: str) -> bool:
    """Nothing asked: an empty message, or only greetings and thanks ("ciao", "buongiorno!")."""
    return all(word in GREETINGS for word in words(text))


def find(text: str, topics: list[InfoTopic], language: str) -> Found | None:
    """The topic ``text`` asks about, and in which language to answer; None below MIN_SCORE."""
    typed = [word for word in words(text) if word not in GREETINGS]
    if not typed:
        return None
    best: Found | None = None
    for topic in topics:
        scores = {code: _score(typed, entry.keywords) for code, entry in topic.texts.items()}
        top = max(scores.values(), default=0.0)
        if top < MIN_SCORE or (best and top <= best.score):
            continue
        if scores.get(language, 0.0) > 0:
            chosen = language
        else:
            chosen = next(code for code in languages.CODES + tuple(scores) if scores.get(code) == top)
        best = Found(topic, chosen, top)
    return best


def _score(typed: list[str], phrases: tuple[str, ...]) -> float:
    longer = [word for word in typed if len(word) > 3]
    present = set(typed)
    total = 0.0
    for phrase in phrases:
        found = 0.0
        for wanted in _words_of(phrase):
            near = _closest(wanted, present, longer)
            if not near:
                break
            found += len(wanted) * near / 100
        else:
            total += found
    return total


@lru_cache(maxsize=8192)
def _words_of(phrase: str) -> tuple[str, ...]:
    return tuple(words(phrase))


def _closest(wanted: str, present: set[str], longer: list[str]) -> float:
    """How near the nearest typed word is to ``wanted`` (0-100); 0 when none is near enough."""
    if wanted in present:
        return 100.0
    if len(wanted) <= 3 or not longer:
        return 0.0
    from rapidfuzz import fuzz, process  # here, not at the top: start-up time, as conversations.municipalities

    best = process.extractOne(wanted, longer, scorer=fuzz.ratio, score_cutoff=85 if len(wanted) <= 5 else 80)
    return best[1] if best else 0.0
