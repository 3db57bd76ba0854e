"""Push modules of the bot's feed (bot/feed.py PUSH_MODULES): each has `push(cur, name, event)`."""
