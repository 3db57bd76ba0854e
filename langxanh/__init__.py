"""The `langxanh` command: it wires the services, the gateway and the bot, so it stands above them."""
