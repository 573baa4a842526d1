"""The bare python-telegram-bot echo bot bench_latency measures beside ours (``--echo``): no
database, no outbox, every update answered in its handler with one sendMessage carrying a
keyboard (so that the people's script can press its buttons), button presses answered first,
updates handled concurrently, PTB's own HTTP settings. Settings from the environment as the bot's:
TELEGRAM_BOT_TOKEN, TELEGRAM_API_URL."""
from __future__ import annotations

import os

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ApplicationBuilder, ContextTypes, TypeHandler

KEYBOARD = InlineKeyboardMarkup([[InlineKeyboardButton(f"option {n}", callback_data=str(n))] for n in range(12)])


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.callback_query:
        await update.callback_query.answer()
        text = update.callback_query.data or "?"
    elif update.message and update.message.text:
        text = update.message.text
    else:
        return
    await context.bot.send_message(update.effective_chat.id, text, reply_markup=KEYBOARD)


def main() -> None:
    api_url = os.environ["TELEGRAM_API_URL"]
    application = (ApplicationBuilder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(f"{api_url}/bot")
                   .concurrent_updates(True).build())
    application.add_handler(TypeHandler(Update, echo))
    application.run_polling(allowed_updates=["message", "callback_query"])


if __name__ == "__main__":
    main()
