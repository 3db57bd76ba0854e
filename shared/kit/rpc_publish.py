"""The RPC request publisher of the kit's client: it reads the broker's whole answer to a request
no service can take before it gives the channel back.

nameko publishes a request `mandatory` with publisher confirms, so that a call to a service whose
queue does not exist (never started on this vhost: the first run, or a service started after its
caller) fails at once with `UnknownService` instead of waiting for a reply that never comes.
RabbitMQ answers such a message with basic.return and then basic.ack (it always confirms, the
return first). py-amqp, with no return handler on the channel, raises on the return before it has
read the ack; kombu then replaces the pooled connection, and closing its channel reads that ack:
"amqp WARNING Received method (60, 80) during closing channel 1. This method will be ignored" on
every such call — three lines per service on every first `langxanh up` (the followers' first
catch-up runs while their sources are still starting), and a new broker connection per refused
call. Here a return handler records the return, the confirm wait reads the ack (the channel
stays clean, in the pool), and only then is the request refused as nameko refuses it.
"""
from __future__ import annotations

from typing import Any

from kombu.exceptions import ChannelError
from nameko.amqp.publish import Publisher, UndeliverableMessage, get_producer
from nameko.constants import (AMQP_SSL_CONFIG_KEY, AMQP_URI_CONFIG_KEY, DEFAULT_SERIALIZER, LOGIN_METHOD_CONFIG_KEY,
                              SERIALIZER_CONFIG_KEY)
from nameko.rpc import MethodProxy, Responder, RpcConsumer, get_rpc_exchange

_OPTIONS = ("delivery_mode", "mandatory", "priority", "expiration", "serializer", "compression", "retry",
            "retry_policy")


class ReturnAwarePublisher(Publisher):
    """nameko's `Publisher.publish` (same options, same merging of headers), with the return handled."""

    def publish(self, payload: Any, **kwargs: Any) -> None:
        returned: list[Exception] = []

        def on_return(exc: Exception, exchange: str, routing_key: str, message: Any) -> None:
            returned.append(exc)

        publish_kwargs = self.publish_kwargs.copy()
        headers = publish_kwargs.pop("headers", {}).copy()
        headers.update(kwargs.pop("headers", {}))
        headers.update(kwargs.pop("extra_headers", {}))
        use_confirms = kwargs.pop("use_confirms", self.use_confirms)
        transport_options = dict(kwargs.pop("transport_options", self.transport_options))  # never the class's dict
        transport_options["confirm_publish"] = use_confirms
        options = {name: kwargs.pop(name, getattr(self, name)) for name in _OPTIONS}
        declare = [*self.declare, *kwargs.pop("declare", ())]
        publish_kwargs.update(kwargs)  # remaining publish-time arguments win, as in nameko
        with get_producer(self.amqp_uri, use_confirms, self.ssl, self.login_method, transport_options) as producer:
            handlers = producer.channel.events["basic_return"]
            handlers.add(on_return)
            try:
                producer.publish(payload, headers=headers, declare=declare, **options, **publish_kwargs)
            except ChannelError as exc:  # a retry on a new channel (no handler there): nameko's own path
                if "NO_ROUTE" in str(exc):
                    raise UndeliverableMessage() from None
                raise
            finally:
                handlers.discard(on_return)
        if returned:  # read after the confirm: the broker sends the return before the ack
            raise UndeliverableMessage()


class ReturnAwareMethodProxy(MethodProxy):
    """nameko's method proxy (`UnknownService` for an unroutable request) over `ReturnAwarePublisher`."""

    publisher_cls = ReturnAwarePublisher


class ReplyPublisher(Publisher):
    """A service's reply, published without a publisher confirm.

    A reply goes to its caller's own reply queue, which is exclusive, not durable and gone with the
    caller's connection: a confirm (one more broker round trip for every RPC, in the service's
    worker) makes nothing of it survive a broker restart. What it caught was a reply the broker
    never took — the publishing connection gone — and then the request is requeued and run again;
    without it such a reply is lost like one in the reply queue, the caller's wait ends
    `Unavailable`, and its retry with the same `command_id` answers from the command's record
    without acting twice. Requests keep their confirm (`ReturnAwarePublisher`: an unknown service
    is refused at once) and so does every event the relay publishes."""

    use_confirms = False


class ReplyResponder(Responder):
    publisher_cls = ReplyPublisher


class ReplyingRpcConsumer(RpcConsumer):
    """nameko's RPC consumer, replying through `ReplyResponder` (then the request is acked, as in nameko)."""

    def handle_result(self, message: Any, result: Any, exc_info: Any) -> tuple[Any, Any]:
        config = self.container.config
        responder = ReplyResponder(config[AMQP_URI_CONFIG_KEY], get_rpc_exchange(config),
                                   config.get(SERIALIZER_CONFIG_KEY, DEFAULT_SERIALIZER), message,
                                   ssl=config.get(AMQP_SSL_CONFIG_KEY), login_method=config.get(LOGIN_METHOD_CONFIG_KEY))
        result, exc_info = responder.send_response(result, exc_info)
        self.queue_consumer.ack_message(message)
        return result, exc_info
