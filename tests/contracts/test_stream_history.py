"""Every CloudEvent of the generated history (tests/history.py: real applications, real commands,
more than 50 000 events across sites, inspections and manifests), mapped by PublicMapper exactly as
the relay publishes it, validates against the payload schema of its channel in the AsyncAPI
document."""
from shared import asyncapi
from shared.kit.public import routing_key
from tests.history import popo_history
from tests.stream_schema import StreamValidator


def test_every_event_of_the_generated_history_validates_against_its_asyncapi_schema():
    history = popo_history()
    total = history.generate(villages=1700, clusters=300, manifests=5000, incidents=3000)
    validator = StreamValidator()
    for service, mapper in history.mappers.items():
        position = 0
        while True:
            notifications = mapper.app.select_notifications(position, 1000)
            if not notifications:
                break
            for key, event in (mapper.cloudevent(n) for n in notifications if mapper.publishes(n)):
                validator.check(key, event)  # the schema's `type` const also ties the event to its channel
            position = notifications[-1].id  # private events (link codes) are never published
    assert validator.count == total >= 50_000
    assert validator.failures == [], "\n".join(validator.failures[:20])

    produced = set(validator.seen)
    history_services = set(history.mappers)
    never = sorted(routing_key(s, c) for s, cs in asyncapi.public_events().items() for c in cs
                   if routing_key(s, c) not in produced)
    print(f"\nvalidated {validator.count} CloudEvents of the generated history against the AsyncAPI schemas "
          f"(Draft 7): {len(produced)} event types produced, 0 invalid")
    for key, n in validator.seen.most_common():
        print(f"  {n:>6}  {key}")
    print(f"never produced by the history ({len(never)}): {', '.join(never)}")
    # each service of the history published something, and every type it produced is a channel
    assert {k.split(".")[0] for k in produced} == history_services
    assert produced <= set(asyncapi.document()["channels"])
