#!/usr/bin/env python3
"""A local three-node Citus cluster (a coordinator and two workers) for `make cluster` / `make test-cluster`.

    python infra/cluster.py up [DB]       build Citus if it is missing, initdb and start the three nodes,
                                          create DB (default: the DATABASE_URL's name, else suxinbao) on
                                          every node with the citus extension, register the workers
    python infra/cluster.py down          stop the nodes (the data stays)
    python infra/cluster.py status
    python infra/cluster.py database DB [--fresh]
                                          (re)create DB on every node, extension + workers registered

Idempotent: `up` on a running cluster only checks it. The nodes are PostgreSQL 15 from the system
(Debian's packages) with Citus built into it by ../shared/citus/build.sh (CITUS_BUILD_SCRIPT), each
its own server on its own port (CITUS_PORT_BASE: 9700 coordinator, 9701 and 9702 workers) run as the
`postgres` user (PostgreSQL refuses root); data under CITUS_DATA (/var/tmp/suxinbao-citus), which
`postgres` can reach wherever the checkout lives. Settings take the coordinator like any database:
DATABASE_URL=postgres://postgres@127.0.0.1:9700/suxinbao.

The nodes run with schema-based sharding on (every tenant schema becomes a distributed schema placed
whole on one worker) and wal_level=logical (tenants move between workers while writes keep flowing).
It is a development and CI cluster: fsync is off, as for any throwaway test database.
"""

import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
PG_MAJOR = os.environ.get("PG_MAJOR", "15")
PG_BIN = Path(f"/usr/lib/postgresql/{PG_MAJOR}/bin")
DATA = Path(os.environ.get("CITUS_DATA", "/var/tmp/suxinbao-citus"))
PORT_BASE = int(os.environ.get("CITUS_PORT_BASE", "9700"))
HOST = "127.0.0.1"
NODES = {"coordinator": PORT_BASE, "worker1": PORT_BASE + 1, "worker2": PORT_BASE + 2}
BUILD_SCRIPT = Path(os.environ.get("CITUS_BUILD_SCRIPT", ROOT.parent / "shared" / "citus" / "build.sh"))
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0
PG_USER = "postgres"

CONF = """
# --- suxinbao local Citus cluster (infra/cluster.py) ---
port = {port}
listen_addresses = '{host}'
unix_socket_directories = '{sockets}'
shared_preload_libraries = 'citus'
citus.enable_schema_based_sharding = on
wal_level = logical
max_replication_slots = 20
max_wal_senders = 20
max_connections = 300
shared_buffers = 128MB
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
"""


def log(message: str) -> None:
    print(f"[cluster] {message}", flush=True)


def as_pg_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", PG_USER, "--", *cmd] if IS_ROOT else cmd


def run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, check=True, **kw)


def pg_lib_dir() -> Path:
    out = subprocess.run([str(PG_BIN / "pg_config"), "--pkglibdir"], capture_output=True, text=True)
    return Path(out.stdout.strip())


def ensure_citus() -> None:
    if not (PG_BIN / "postgres").exists():
        sys.exit(
            f"PostgreSQL {PG_MAJOR} server binaries are missing ({PG_BIN}): apt-get install postgresql-{PG_MAJOR}"
        )
    if (pg_lib_dir() / "citus.so").exists():
        return
    if not BUILD_SCRIPT.exists():
        sys.exit(
            f"citus.so is not installed and the build script {BUILD_SCRIPT} is missing (CITUS_BUILD_SCRIPT)"
        )
    log(f"citus.so missing: building it with {BUILD_SCRIPT} (a few minutes)")
    run(["bash", str(BUILD_SCRIPT)])
    if not (pg_lib_dir() / "citus.so").exists():
        sys.exit("the Citus build finished but citus.so is still missing")


def node_dir(name: str) -> Path:
    return DATA / name


def sockets_dir() -> Path:
    return DATA / "sockets"


def running(name: str) -> bool:
    result = subprocess.run(
        as_pg_user([str(PG_BIN / "pg_ctl"), "status", "-D", str(node_dir(name))]), capture_output=True
    )
    return result.returncode == 0


def psql(port: int, sql: str, db: str = "postgres", quiet: bool = True) -> str:
    cmd = [
        str(PG_BIN / "psql"),
        "-h",
        HOST,
        "-p",
        str(port),
        "-U",
        PG_USER,
        "-d",
        db,
        "-v",
        "ON_ERROR_STOP=1",
        "-At",
        "-c",
        sql,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(f"psql :{port}/{db}: {sql}\n{out.stderr.strip()}")
    return out.stdout.strip()


def init_node(name: str, port: int) -> None:
    directory = node_dir(name)
    if (directory / "PG_VERSION").exists():
        return
    DATA.mkdir(parents=True, exist_ok=True)
    sockets_dir().mkdir(parents=True, exist_ok=True)
    if IS_ROOT:
        run(["chown", f"{PG_USER}:{PG_USER}", str(DATA), str(sockets_dir())])
    log(f"initdb {name} ({directory})")
    run(
        as_pg_user(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(directory),
                "-U",
                PG_USER,
                "-A",
                "trust",
                "-E",
                "UTF8",
                "--locale=C.UTF-8",
            ]
        ),
        stdout=subprocess.DEVNULL,
    )
    with open(directory / "postgresql.conf", "a") as conf:
        conf.write(CONF.format(port=port, host=HOST, sockets=sockets_dir()))


def start_node(name: str) -> None:
    if running(name):
        return
    log(f"starting {name} on :{NODES[name]}")
    run(
        as_pg_user(
            [
                str(PG_BIN / "pg_ctl"),
                "start",
                "-w",
                "-t",
                "60",
                "-D",
                str(node_dir(name)),
                "-l",
                str(node_dir(name) / "server.log"),
            ]
        ),
        stdout=subprocess.DEVNULL,
    )


def wait_ready(port: int) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            psql(port, "SELECT 1")
            return
        except RuntimeError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def workers() -> list[tuple[str, int]]:
    return [(HOST, port) for name, port in NODES.items() if name != "coordinator"]


def database_ensure(db: str, fresh: bool = False) -> None:
    """DB on every node with the citus extension, the coordinator knowing itself and its workers."""
    coordinator = NODES["coordinator"]
    ports = [coordinator] + [port for _, port in workers()]
    for port in ports:
        exists = psql(port, f"SELECT 1 FROM pg_database WHERE datname = '{db}'") == "1"
        if exists and fresh:
            psql(port, f'DROP DATABASE "{db}" WITH (FORCE)')
            exists = False
        if not exists:
            psql(port, f'CREATE DATABASE "{db}"')
        psql(port, "CREATE EXTENSION IF NOT EXISTS citus", db=db)
    registered = set(psql(coordinator, "SELECT nodeport FROM pg_dist_node", db=db).split())
    if str(coordinator) not in registered:
        psql(coordinator, f"SELECT citus_set_coordinator_host('{HOST}', {coordinator})", db=db)
    for host, port in workers():
        if str(port) not in registered:
            psql(coordinator, f"SELECT citus_add_node('{host}', {port})", db=db)


def database_drop(db: str) -> None:
    """DB gone from every node (benches' throwaway databases)."""
    for port in NODES.values():
        psql(port, f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def default_db() -> str:
    url = os.environ.get("DATABASE_URL", "")
    parsed = urlparse(url)
    if url and parsed.port == NODES["coordinator"] and parsed.path.strip("/"):
        return parsed.path.strip("/")
    return "suxinbao"


def up(db: str) -> None:
    ensure_citus()
    for name, port in NODES.items():
        init_node(name, port)
    for name in NODES:
        start_node(name)
    for port in NODES.values():
        wait_ready(port)
    database_ensure(db)
    version = psql(NODES["coordinator"], "SELECT citus_version()", db=db)
    nodes = psql(NODES["coordinator"], "SELECT count(*) FROM pg_dist_node WHERE noderole = 'primary'", db=db)
    log(
        f"{version.split(' on ')[0]}: coordinator :{NODES['coordinator']}, {int(nodes) - 1} workers, database {db}"
    )
    log(f"DATABASE_URL=postgres://{PG_USER}@{HOST}:{NODES['coordinator']}/{db}")


def down() -> None:
    for name in reversed(list(NODES)):
        if running(name):
            log(f"stopping {name}")
            run(
                as_pg_user([str(PG_BIN / "pg_ctl"), "stop", "-m", "fast", "-w", "-D", str(node_dir(name))]),
                stdout=subprocess.DEVNULL,
            )


def status() -> int:
    ok = True
    for name, port in NODES.items():
        state = "running" if running(name) else "stopped"
        ok = ok and state == "running"
        print(f"{name:12} :{port}  {state}  {node_dir(name)}")
    return 0 if ok else 1


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "status"
    if command == "up":
        up(argv[2] if len(argv) > 2 else default_db())
    elif command == "down":
        down()
    elif command == "status":
        return status()
    elif command == "database" and len(argv) > 2:
        database_ensure(argv[2], fresh="--fresh" in argv)
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
