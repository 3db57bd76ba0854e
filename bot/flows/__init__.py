"""One module per conversation flow; each exposes `handlers(settings)`."""
