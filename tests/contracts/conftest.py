"""Contract stories' public events validate against the AsyncAPI document: after each passing test,
the whole log of every service application it used is mapped by PublicMapper and validated against
its channel's payload schema (tests/stream_schema.py; the same check as in tests/application)."""
import pytest


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield  # the test passed: now its applications' logs
    from tests.stream_schema import check_applications

    check_applications(item)
    return result


def pytest_terminal_summary(terminalreporter):
    from tests.stream_schema import write_stories_summary

    write_stories_summary(terminalreporter)
