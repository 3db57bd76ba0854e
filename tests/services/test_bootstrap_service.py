"""Composition (issue 17) in a running container: the ServiceKit builds the service with its
bootstrap (store, read models, followed projections, then the Application with its ports), and
nameko's replace_dependencies still swaps one provider alone."""
from nameko.testing.services import entrypoint_hook, replace_dependencies

from services.inspections.application import InspectionsApplication
from services.inspections.permit_directory import InspectionsDirectory
from services.inspections.service import InspectionsService
from services.inspections.views import InspectionsViews
from shared.kit.actor import Actor
from shared.kit.nameko_glue import ServiceKit

AGENCY = {"actor": Actor("officer-1", "agency").to_dict()}


def kit_of(container) -> ServiceKit:  # type: ignore[no-untyped-def]
    return next(d for d in container.dependencies if isinstance(d, ServiceKit))


def test_the_kit_builds_the_application_with_the_ports_its_bootstrap_made(make_container, store_env):
    container = make_container(InspectionsService)
    container.start()
    kit = kit_of(container)
    assert isinstance(kit.app, InspectionsApplication) and isinstance(kit.views, InspectionsViews)
    assert kit.app.views is kit.views  # the views the entrypoints see are the ones the Application uses
    assert isinstance(kit.app.directory, InspectionsDirectory)
    assert kit.app.directory is kit.followers["sites"].projection  # the sites follower keeps the directory
    assert kit.views.app is kit.store  # the read models read the log through the store
    with entrypoint_hook(container, "list_incidents", context_data=AGENCY) as list_incidents:
        assert list_incidents() == []


def test_the_read_models_are_replaced_alone_and_the_application_stays_real(make_container, store_env):
    """`views` replaced by a MagicMock: the entrypoint asks it for ids, then the real Application
    (built by the bootstrap, with its own real views) answers for each."""
    container = make_container(InspectionsService)
    views = replace_dependencies(container, "views")
    views.list_incidents.return_value = []
    container.start()
    with entrypoint_hook(container, "list_incidents", context_data=AGENCY) as list_incidents:
        assert list_incidents(limit=5) == []
    [call] = views.list_incidents.call_args_list
    assert call.args == (None, None, 5, 0)
    kit = kit_of(container)
    assert isinstance(kit.app, InspectionsApplication) and kit.app.views is kit.views  # untouched
    with entrypoint_hook(container, "ping", context_data=AGENCY) as ping:
        assert ping()["log_head"] == 0
