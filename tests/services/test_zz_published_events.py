"""Runs last in tests/services (files run in name order): the session's validator of published
CloudEvents (conftest.py) saw messages — a validator that saw nothing proves nothing — and every
one of them validated against its channel's schema in the AsyncAPI document."""


def test_the_services_published_events_and_every_one_validated(published_events_validator):
    validator = published_events_validator
    assert validator.count > 0, ("no CloudEvent was published through KombuPublisher in this session: run this "
                                 "test with the service tests (pytest tests/services)")
    assert validator.failures == [], "\n".join(validator.failures[:20])
    # the four services' relays all published through the wrapped publisher
    assert {key.split(".")[0] for key in validator.seen} == {"sites", "inspections", "manifests", "indicators"}
