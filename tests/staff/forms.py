"""A form as a person uses it in a story: fields set by kind, sent by its button, its hidden
values (the CSRF token, the command id) read for a request the page would not make."""
from __future__ import annotations


def fill(field, value) -> None:  # type: ignore[no-untyped-def]
    """A form field as a person sets it: a choice in a select, a file, or typed text."""
    kind = field.evaluate("e => e.tagName === 'SELECT' ? 'select' : (e.type || '')")
    if kind == "select":
        field.select_option(value)
    elif kind == "file":
        field.set_input_files(value)
    else:
        field.fill(value)


def fill_and_send(story, form: str, fields: dict, step: str):  # type: ignore[no-untyped-def]
    """Fill a form's fields by name, press its submit button; the response of the POST."""
    page = story.page
    for name, value in fields.items():
        fill(page.locator(f'{form} [name="{name}"]'), value)
    with page.expect_navigation() as nav:
        page.locator(f'{form} [type="submit"]').first.click()
    story.snap(step)
    return nav.value


def form_values(story, form: str, *names: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The current values of a form's fields (hidden ones too), by name."""
    return {name: story.page.locator(f'{form} [name="{name}"]').input_value() for name in names}
