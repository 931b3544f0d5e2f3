"""A throwaway database beside the one ``DATABASE_URL`` names, for the benches that build many tenants
(bench/provisioning.py, bench/migrate_schemas.py): its name, and creating and dropping it from the
server's maintenance database."""

import psycopg


def name(url: str, suffix: str) -> str:
    """The scratch database's name: the configured database's with ``suffix`` (``suxinbao_bench_prov``)."""
    return url.rsplit("/", 1)[1] + suffix


def url_of(url: str, database: str) -> str:
    """``url`` pointing at ``database`` instead."""
    return url.rsplit("/", 1)[0] + f"/{database}"


def recreate(url: str, database: str) -> None:
    """``database`` dropped (connections and all) and created empty."""
    drop(url, database)
    with psycopg.connect(url_of(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{database}"')


def drop(url: str, database: str) -> None:
    with psycopg.connect(url_of(url, "postgres"), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
