"""The Làng Xanh Telegram bot (python-telegram-bot v22, asyncio).

Residents report pollution and check a site; businesses, transporters and facilities file and
sign hazardous-waste manifests; inspectors and agency staff subscribe to the public stream.
The bot talks to the services over RabbitMQ through a pooled client in worker threads, so the
bot process is never monkey-patched.
"""
