"""Push modules of the bot's feed (bot/feed.py PUSH_MODULES)."""
