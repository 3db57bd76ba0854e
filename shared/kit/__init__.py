"""The platform kit every Làng Xanh service uses.

Plain modules (no transport): config, errors, actor, text, store, sql, public, relay, follower.
Transport modules (RabbitMQ): amqp, nameko_glue, client.
"""
