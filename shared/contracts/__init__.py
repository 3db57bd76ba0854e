"""pydantic v2 contracts: RPC inputs/outputs and public events, versioned. Used by service.py,
the relay and the bot — never by domain code."""
