"""The gateway: the HTTP door for agencies and other clients (JSON API with OpenAPI 3.1,
Open311 GeoReport v2, server-sent events, the dashboard) and signed webhooks."""
