"""A Bot API server of the tests' own (issue 15), on loopback over real HTTP, and a chat driver
over it with the interface of bot/offline.py's ChatDriver."""
