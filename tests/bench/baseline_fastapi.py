"""P6's baseline (issue 18): what a user would pick instead of Làng Xanh for filing an incident
report — one FastAPI endpoint that validates the same Open311 form with the same pydantic contract
(shared/contracts/open311.py) and INSERTs one row into a PostgreSQL table in a schema of its own,
through a psycopg async connection pool; served by uvicorn in a process of its own.

    python -m tests.bench.baseline_fastapi --port 8099 --schema lxbase_ [--dsn postgresql://…] [--pool 8]

POST /open311/v2/requests.json (application/x-www-form-urlencoded, as the gateway's route) answers
[{"service_request_id", "service_notice"}] once the row is committed; 400 with the spec's error list
for a form the contract refuses (404 for an unknown service_code). No events, no broker, no API key, no quota: a single table."""
from __future__ import annotations

import argparse
import hashlib
import re
import urllib.parse
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from shared.contracts import open311 as o311
from shared.kit.errors import InvalidInput, NotFound

FORM_MAX = 65_536
PATH = "/open311/v2/requests.json"
SCHEMA = re.compile(r"[a-z][a-z0-9_]{0,50}")


def ddl(schema: str) -> list[str]:
    return [f'CREATE SCHEMA IF NOT EXISTS "{schema}"',
            f'CREATE TABLE IF NOT EXISTS "{schema}".incident_report (id uuid PRIMARY KEY, category text NOT NULL, '
            f"description text NOT NULL, lat double precision, lon double precision, address text, "
            f"reporter text, reported_at timestamptz NOT NULL DEFAULT now())"]


def create_app(dsn: str, schema: str, pool: int = 8) -> FastAPI:
    """The app; its lifespan opens the pool (`pool` connections) and creates the table."""
    from psycopg_pool import AsyncConnectionPool

    if not SCHEMA.fullmatch(schema):
        raise ValueError(f"not a schema name of the bench's: {schema!r}")
    insert = (f'INSERT INTO "{schema}".incident_report (id, category, description, lat, lon, address, reporter) '
              f"VALUES (%s, %s, %s, %s, %s, %s, %s)")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with AsyncConnectionPool(dsn, min_size=pool, max_size=pool, open=False) as conns:
            async with conns.connection() as conn:
                for statement in ddl(schema):
                    await conn.execute(statement)
            app.state.pool = conns
            yield

    app = FastAPI(title="P6 baseline: one row per report", lifespan=lifespan)

    @app.post(PATH)
    async def post_request(request: Request) -> JSONResponse:
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > FORM_MAX:
                return JSONResponse(o311.errors(413, "the form is larger than 64 KiB"), 413)
        try:
            fields = dict(reversed(urllib.parse.parse_qsl(body.decode("utf-8"), max_num_fields=200)))
            form = o311.new_request(fields)
            args = o311.report_arguments(form)
        except (UnicodeDecodeError, ValueError) as e:
            return JSONResponse(o311.errors(400, str(e)[:200]), 400)
        except InvalidInput as e:
            return JSONResponse(o311.errors(400, e.message), 400)
        except NotFound as e:  # an unknown service_code or jurisdiction_id, as the gateway answers it
            return JSONResponse(o311.errors(404, e.message), 404)
        where = args["location"] or {}
        reporter = hashlib.sha256(form.email.lower().encode()).hexdigest()[:24] if form.email else None
        row_id = uuid.uuid4()
        async with app.state.pool.connection() as conn:  # commits when the block ends
            await conn.execute(insert, (row_id, args["category"], args["description"], where.get("lat"),
                                        where.get("lon"), args["address"], reporter))
        return JSONResponse([{"service_request_id": str(row_id),
                              "service_notice": f"Đã tiếp nhận phản ánh, mã phiếu {o311.ticket(row_id)}"}])

    return app


def main() -> None:
    import uvicorn

    from tests.bench.common import PG_URL

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--schema", required=True)
    parser.add_argument("--dsn", default=PG_URL)
    parser.add_argument("--pool", type=int, default=8)
    args = parser.parse_args()
    uvicorn.run(create_app(args.dsn, args.schema, args.pool), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
