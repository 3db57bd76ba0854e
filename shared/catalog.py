"""The services that exist, by name → "module:Class". Plain data: importing it patches nothing."""

SERVICES = {
    "sites": "services.sites.service:SitesService",
    "inspections": "services.inspections.service:InspectionsService",
    "manifests": "services.manifests.service:ManifestsService",
    "indicators": "services.indicators.service:IndicatorsService",
}

# HTTP edge processes run beside the services (not nameko): name -> ASGI app factory.
EDGES = {
    "gateway": "services.gateway.service:create_app",
}
