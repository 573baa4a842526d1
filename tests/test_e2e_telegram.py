"""End to end: the real bot process (``python -m bot``, long polling) against the fake Bot API.

A person registers by pushed updates, pressing the buttons the bot actually sent; the
process is SIGKILLed while it handles a button press, restarted, and the registration
is finished; the database then holds it. The token must never show in the logs.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.fake_bot_api import FakeBotApi
from tests.fake_network import Hold
from tests.postgres import free_port
from tests.registration_helpers import NATIVE
from tests.telegram_fakes import message_update, press_update

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "987654321:AAE2e-Secret_token-that-must-not-leak"
# Settings a developer's .env could hold, given here so that it cannot change the test.
NO_DOTENV = {"TELEGRAM_WEBHOOK_URL": "", "TELEGRAM_WEBHOOK_SECRET": "", "BOOKING_CUTOFF_HOURS": "2"}
USER = 7001
WAIT = 15.0  # seconds for any one answer: generous for a slow CI machine


class BotProcess:
    """``python -m bot`` in its own process group, logging to a file (a pipe could fill up)."""

    def __init__(self, api: FakeBotApi, db_path: Path, log_dir: Path):
        self.api, self.db_path, self.log_dir = api, db_path, log_dir
        self.runs: list[tuple[subprocess.Popen, Path]] = []
        self.env: dict[str, str] = {}  # more settings, e.g. a short OUTBOX_LEASE_SECONDS

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=self.api.url, LOG_LEVEL="DEBUG",
                   DATABASE_URL=f"sqlite:///{self.db_path}", PYTHONUNBUFFERED="1", OFFICE_PORT=str(free_port()),
                   **NO_DOTENV, **self.env)
        log = self.log_dir / f"bot-{len(self.runs) + 1}.log"
        with open(log, "wb") as out:
            process = subprocess.Popen([sys.executable, "-m", "bot"], cwd=ROOT, env=env,
                                       stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        self.runs.append((process, log))
        mark = self.api.mark()
        try:
            self.api.wait_for("getUpdates", since=mark, timeout=WAIT)
        except AssertionError:
            raise AssertionError(f"the bot did not start polling:\n{self.log()}") from None

    @property
    def process(self) -> subprocess.Popen:
        return self.runs[-1][0]

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=WAIT)

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=WAIT)

    def kill_all(self) -> None:
        for process, _log in self.runs:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=WAIT)

    def log(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text(errors='replace')}" for _p, log in self.runs)


class Person:
    """Someone writing to the bot on Telegram: pushes updates, waits for the bot's answers."""

    def __init__(self, api: FakeBotApi, bot: BotProcess, user_id: int = USER):
        self.api, self.bot, self.user_id = api, bot, user_id
        self.last: list[dict] = []

    def _act(self, update: dict, sends: int, edits: int = 0) -> list[dict]:
        mark = self.api.mark()
        self.api.push(update)
        try:
            if edits:
                self.api.wait_for("editMessageText", edits, since=mark, timeout=WAIT, done=True)
            if sends:
                self.last = self.api.wait_sent(sends, since=mark, timeout=WAIT)
        except AssertionError as error:
            raise AssertionError(f"{error}\n{self.bot.log()[-4000:]}") from None
        return self.last

    def say(self, text: str, sends: int = 1) -> list[dict]:
        return self._act(message_update(text, user_id=self.user_id), sends)

    def share_contact(self, phone: str, sends: int = 2) -> list[dict]:
        contact = {"phone_number": phone, "first_name": "Amina", "user_id": self.user_id}
        return self._act(message_update(user_id=self.user_id, contact=contact), sends)

    def press(self, label: str, sends: int = 1, edits: int = 0) -> list[dict]:
        return self._act(self.press_update(label), sends, edits)

    def press_update(self, label: str) -> dict:
        """Pressing ``label`` on the newest message the bot sent this person that has buttons."""
        with_buttons = [m for m in self.api.messages(self.user_id) if m.get("reply_markup")]
        assert with_buttons, "the bot sent no buttons"
        return press_update(with_buttons[-1], label, user_id=self.user_id)

    @property
    def text(self) -> str:
        return "\n".join(params["text"] for params in self.last)


@pytest.fixture
def api():
    with FakeBotApi(token=TOKEN) as server:
        yield server


@pytest.fixture
def bot(api, tmp_path):
    process = BotProcess(api, tmp_path / "e2e.db", tmp_path)
    yield process
    process.kill_all()


def replies_recorded(db_path: Path, timeout: float = 10.0) -> None:
    """Wait until the bot has written down every reply it sent (no reply row left 'sending')."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with sqlite3.connect(db_path) as db:
            if db.execute("SELECT count(*) FROM outbox WHERE kind = 'reply' AND status = 'sending'").fetchone() == (0,):
                return
        time.sleep(0.02)
    raise AssertionError("the bot never recorded its replies as sent")


def test_registration_survives_a_kill_mid_flow(api, bot, tmp_path):
    bot.start()
    person = Person(api, bot)

    [welcome] = person.say("ciao")
    assert [b["text"] for row in welcome["reply_markup"]["inline_keyboard"] for b in row] == NATIVE
    person.press("English")
    assert "Do you agree?" in person.text
    person.press("Yes, I agree")
    person.say("Amina")
    person.say("Haddad")
    person.say("12/07/1994")
    assert "codice fiscale" in person.text

    # Killed while handling a press: the update was fetched, its answer is held back. The replies
    # before it are recorded as sent first: a kill between a send and its record sends it again
    # after the restart (at least once, as any outbox; test_telegram_kill kills in that window).
    # The kill lands some milliseconds after the press is answered, before or after its step is
    # saved (on a loaded machine, after); either way its reply, held back too, is never delivered
    # by this process: the restarted one handles the press again or sends the saved reply.
    replies_recorded(bot.db_path)
    delivered = api.delivered[USER]
    api.hold("answerCallbackQuery")
    api.refuse(Hold(60, deliver=False), method="sendMessage", chat_id=USER)
    mark = api.mark()
    api.push(person.press_update("I don't have one"))
    api.wait_for("answerCallbackQuery", since=mark, timeout=WAIT)
    bot.kill()
    api.clear_faults()  # not for the restarted bot's reply
    api.release("answerCallbackQuery")
    assert api.delivered[USER] == delivered  # nothing reached the person before the kill

    mark = api.mark()
    bot.start()
    person.last = api.wait_sent(1, since=mark, timeout=WAIT)  # the press is handled after the restart
    assert "comune" in person.text

    person.say("Casalecchio di Reno")
    person.share_contact("447911123456")  # "Thank you" and the email question
    person.press("Skip")
    person.press("Looking for work")
    person.press("High school diploma")
    person.press("Good")
    person.press("Care of people", sends=0, edits=1)  # multi-select: the message is edited
    person.press("Cleaning", sends=0, edits=1)
    person.press("Done")
    person.press("No licence")
    person.press("Shifts", sends=0, edits=1)
    person.press("Done")
    assert "Is everything right?" in person.text
    person.press("Yes, register me")
    assert "You are registered" in person.text

    assert bot.stop() == 0  # SIGTERM: a clean stop
    with sqlite3.connect(tmp_path / "e2e.db") as db:
        db.row_factory = sqlite3.Row
        [row] = db.execute("SELECT * FROM registration").fetchall()
    assert (row["first_name"], row["last_name"], row["birth_date"]) == ("Amina", "Haddad", "1994-07-12")
    assert row["tax_code"] is None and row["municipality"] == "Casalecchio di Reno"
    assert row["phone"] == "+447911123456" and row["email"] is None and row["language"] == "en"
    assert (row["situation"], row["education"], row["italian"]) == ("unemployed", "upper_secondary", "good")
    assert set(eval_json(row["sectors"])) == {"care", "cleaning"}
    assert eval_json(row["availability"]) == ["shifts"] and row["driving"] == "none"
    assert row["status"] == "new" and row["code"]

    sent_texts = [call.params["text"] for call in api.calls_to("sendMessage") if call.status == 200]
    assert len(sent_texts) == len(set(sent_texts)), "a message went out twice"
    logs = bot.log()
    assert TOKEN not in logs and TOKEN.split(":")[1] not in logs
    assert "Traceback" not in logs, logs[-4000:]


def test_the_token_is_not_logged_even_when_telegram_refuses_it(tmp_path):
    with FakeBotApi(token="1:another-token") as server:  # this server answers TOKEN with 401
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DATABASE_"))}
        env.update(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=server.url, LOG_LEVEL="DEBUG",
                   DATABASE_URL=f"sqlite:///{tmp_path / 'e2e.db'}", OFFICE_PORT=str(free_port()), **NO_DOTENV)
        result = subprocess.run([sys.executable, "-m", "bot"], cwd=ROOT, env=env, capture_output=True,
                                stdin=subprocess.DEVNULL, timeout=WAIT)  # kills it on timeout
    output = (result.stdout + result.stderr).decode(errors="replace")
    assert result.returncode == 2
    assert "Telegram refused TELEGRAM_BOT_TOKEN" in output and "Traceback" not in output, output[-3000:]
    assert TOKEN not in output and TOKEN.split(":")[1] not in output, output[-3000:]


def eval_json(value):
    import json
    return json.loads(value) if isinstance(value, str) else value
