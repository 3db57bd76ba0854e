"""Security tests (issue 13): each reproduces an attack against the real RabbitMQ and stores.

Plain Python here (no eventlet): tests that run nameko containers in-process live in
tests/security/services/, whose conftest monkey-patches eventlet as tests/services does.
The session fixtures (amqp_uri, pg_url, settings, schema_prefix) come from tests/conftest.py.
"""
