# Làng Xanh: one image for every process (the four nameko services, the HTTP gateway, the
# Telegram bot, the `langxanh` command). The process is chosen by the command:
#   python -m shared.runner sites|inspections|manifests|indicators
#   python -m uvicorn --factory services.gateway.service:create_app --host 0.0.0.0 --port 8080
#   python -m bot
#   langxanh seed, langxanh health --service NAME (the services' probes)
# Settings come from environment variables (README "Settings"); see deploy/compose.yaml and
# deploy/k8s/. Build from the repository root: docker build -t langxanh:0.1.0 .   (the version
# in pyproject.toml; compose.yaml and the manifests use that tag). tests/deploy lints this file
# with hadolint and checks that the image installs every file of the code.
# Python 3.11 on Debian 12, as the tests run.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LANGXANH_DATA_DIR=/data \
    LANGXANH_GATEWAY_HOST=0.0.0.0

# The pinned runtime dependencies first (their layer survives code changes), then the project
# itself without dependencies. No test extras.
COPY pyproject.toml /src/
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('/src/pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install --requirement /tmp/requirements.txt \
    && rm /tmp/requirements.txt
COPY README.md /src/
COPY shared /src/shared
COPY services /src/services
COPY bot /src/bot
COPY langxanh /src/langxanh
RUN pip install --no-deps /src \
    && rm -rf /src

# Not root: a system user owning the data dir (SQLite stores, blobs, the bot's state).
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/langxanh langxanh \
    && install --directory --owner langxanh --group langxanh /data
USER 10001:10001
WORKDIR /home/langxanh
VOLUME ["/data"]
EXPOSE 8080

CMD ["python", "-m", "shared.runner", "sites"]
