"""`python -m bot`: the Telegram bot (what `langxanh bot` and `langxanh up` run)."""
import logging

from bot.app import run
from shared.kit.config import get_settings

logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
logging.getLogger("httpx").setLevel(logging.WARNING)
run(get_settings())
