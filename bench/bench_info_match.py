"""How long matching one typed message to the programme information takes (conversations.info_match,
#15): the demo's eight topics in nine languages, messages short and long, matched and not.
Prints the mean per message; pytest never runs it.

    .venv/bin/python -m bench.bench_info_match [--repeat 200]
"""
from __future__ import annotations

import argparse
import time

from conversations import info_match, languages
from conversations.info_store import InfoEntry, InfoTopic
from services import demo_info, info_store

MESSAGES = ("quando apre l'ufficio?", "dove siete", "ciao", "Mario Rossi", "where is the office",
            "ho perso il lavoro da due mesi e non so cosa fare, potete aiutarmi a trovare qualcosa vicino a casa?")


def demo_topics() -> list[InfoTopic]:
    every = {code: demo_info.texts(code) for code in languages.CODES}
    return [InfoTopic(key, {code: InfoEntry(t[key]["title"], t[key]["answer"], info_store.keyword_lines(t[key]["keywords"]))
                            for code, t in every.items() if key in t}) for key in demo_info.TOPICS]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    topics = demo_topics()
    for message in MESSAGES:
        info_match.find(message, topics, "it")  # warm: rapidfuzz's import, the phrases' cache
        start = time.perf_counter()
        for _ in range(args.repeat):
            found = info_match.find(message, topics, "it")
        took = (time.perf_counter() - start) / args.repeat * 1000
        print(f"{took:6.2f} ms  {found.topic.key if found else '-':10} {message[:60]!r}")


if __name__ == "__main__":
    main()
