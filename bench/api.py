"""Benchmark: 50 concurrent clients over loopback reading enterprises' entitlements from the
running service on the demo population.

    .venv/bin/python bench/api.py                      # 5,000 enterprises, 50 clients, 10 s
    .venv/bin/python bench/api.py --workers 2 --seconds 20

Prepares a fresh data directory the way ``huiqi up`` does (seed documents, synthetic
population, publication of the documents with nothing to review, a match), signs in one
enterprise account per client (each a different enterprise with entitlements), starts
``huiqi serve`` as its own process and lets every client read ``GET
/api/v1/enterprises/{uscc}/entitlements`` in a loop on a keep-alive connection. The same clients
then read ``GET /api/v1/session`` (sign-in check and framework only, no query of the registry):
the floor any endpoint of this service stands on. Prints requests per second and p50/p90/p99.
Aim: p99 under 100 ms for the entitlements.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import http.client
import json
import os
import re
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def prepare(folder: Path, n: int, clients: int) -> list[tuple[str, str]]:
    """The demo population in ``folder``; returns (username, password) of one account per client."""
    os.environ["HUIQI_DATA_DIR"] = str(folder)
    os.environ.pop("HUIQI_DATABASE_URL", None)
    from rich.console import Console
    from sqlalchemy import func, select

    from huiqi.accounts.users import add_user
    from huiqi.cli_platform import ingest_paths
    from huiqi.cli_service import demo_accounts, publish_clean
    from huiqi.db.engine import database_url, make_engine, session_scope
    from huiqi.db.migrate import upgrade
    from huiqi.db.models import TrackedEntitlement
    from huiqi.payout.runs import run_service_match
    from huiqi.registry.importer import KINDS, import_file
    from huiqi.registry.synthetic import generate, write_csv

    quiet = Console(file=open(os.devnull, "w"))  # noqa: SIM115
    ingest_paths([SEEDS], quiet)
    upgrade(database_url())
    engine = make_engine()
    paths = write_csv(generate(n, start_year=2020), folder / "synthetic")
    for kind in KINDS:
        import_file(engine, kind, paths[kind], None)
    demo_accounts(engine)
    publish_clean(engine, quiet)
    run = run_service_match(engine, dt.date.today())
    accounts = []
    with session_scope(engine) as session:
        busiest = session.execute(
            select(TrackedEntitlement.uscc, func.count())
            .group_by(TrackedEntitlement.uscc)
            .order_by(func.count().desc(), TrackedEntitlement.uscc)
            .limit(clients)
        ).all()
        for number, (uscc, _) in enumerate(busiest):
            password = secrets.token_urlsafe(12)
            add_user(session, f"bench{number}", password, "enterprise", uscc=uscc)
            accounts.append((f"bench{number}", password))
    rows = [count for _, count in busiest]
    print(
        f"population: {n:,} enterprises, {run.rows:,} entitlements; the {len(rows)} enterprises read hold "
        f"{min(rows)}–{max(rows)} entitlements each",
        flush=True,
    )
    engine.dispose()
    return accounts


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(folder: Path, port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "HUIQI_DATA_DIR": str(folder)}
    server = subprocess.Popen(
        [sys.executable, "-m", "huiqi.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("the server did not start within 60 s")


def sign_in(port: int, username: str, password: str) -> tuple[str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = json.dumps({"username": username, "password": password})
    conn.request("POST", "/api/v1/session", body, {"Content-Type": "application/json"})
    answer = conn.getresponse()
    token = json.loads(answer.read())["token"]
    conn.request("GET", "/api/v1/session", headers={"Authorization": f"Bearer {token}"})
    uscc = json.loads(conn.getresponse().read())["uscc"]
    conn.close()
    return token, uscc


async def _client(
    port: int, token: str, path: str, stop_at: float, max_requests: int, out: list[float]
) -> int:
    """One keep-alive connection sending GETs back to back; returns the number of non-200 answers."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n".encode()
    errors = 0
    while time.monotonic() < stop_at and len(out) < max_requests:
        began = time.perf_counter()
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(re.search(rb"(?i)content-length: *(\d+)", head).group(1))
        await reader.readexactly(length)
        out.append(time.perf_counter() - began)
        errors += not head.startswith(b"HTTP/1.1 200")
    writer.close()
    return errors


def drive(port: int, clients: list[tuple[str, str]], path_of, seconds: float, max_requests: int) -> dict:
    """Every client loops on its own keep-alive connection until the time or count runs out
    (asyncio with plain sockets: a lean load generator, since it shares the machine's cores)."""

    async def run() -> tuple[list[list[float]], list[int], float]:
        latencies: list[list[float]] = [[] for _ in clients]
        stop_at = time.monotonic() + seconds
        began = time.perf_counter()
        errors = await asyncio.gather(
            *(
                _client(port, token, path_of(uscc), stop_at, max_requests, latencies[i])
                for i, (token, uscc) in enumerate(clients)
            )
        )
        return latencies, list(errors), time.perf_counter() - began

    latencies, errors, elapsed = asyncio.run(run())
    every = sorted(x for lat in latencies for x in lat)
    quantiles = statistics.quantiles(every, n=100)
    return {
        "requests": len(every),
        "errors": sum(errors),
        "rps": len(every) / elapsed,
        "p50": quantiles[49] * 1000,
        "p90": quantiles[89] * 1000,
        "p99": quantiles[98] * 1000,
        "max": every[-1] * 1000,
    }


def report(name: str, figures: dict) -> None:
    print(
        f"{name:<34} {figures['requests']:>7,} requests  {figures['rps']:>7,.0f} req/s  "
        f"p50 {figures['p50']:6.1f} ms  p90 {figures['p90']:6.1f} ms  p99 {figures['p99']:6.1f} ms  "
        f"max {figures['max']:6.1f} ms  errors {figures['errors']}",
        flush=True,
    )


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=5000, help="enterprises in the synthetic population")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0, help="how long each endpoint is driven")
    parser.add_argument("--max-requests", type=int, default=20000, help="per client, a bound besides time")
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="huiqi-bench-api-") as tmp:
        folder = Path(tmp)
        accounts = prepare(folder, args.n, args.clients)
        port = free_port()
        server = start_server(folder, port, args.workers)
        try:
            clients = [sign_in(port, username, password) for username, password in accounts]
            print(
                f"server: huiqi serve --workers {args.workers} on 127.0.0.1:{port}; {len(clients)} clients",
                flush=True,
            )
            drive(port, clients, lambda u: f"/api/v1/enterprises/{u}/entitlements", 2.0, 50)  # warm up
            report(
                "GET /enterprises/{uscc}/entitlements",
                drive(
                    port,
                    clients,
                    lambda u: f"/api/v1/enterprises/{u}/entitlements",
                    args.seconds,
                    args.max_requests,
                ),
            )
            report(
                "GET /session (floor)",
                drive(port, clients, lambda u: "/api/v1/session", args.seconds, args.max_requests),
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    return 0


if __name__ == "__main__":
    sys.exit(main())
