"""Create the PostgreSQL database named by a DATABASE_URL when it does not exist yet."""

import sys

import dj_database_url
import psycopg
from psycopg import sql


def main(url: str) -> None:
    cfg = dj_database_url.parse(url)
    params = {"host": cfg["HOST"] or None, "port": cfg["PORT"] or None, "user": cfg["USER"] or None}
    params["password"] = cfg["PASSWORD"] or None
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cfg["NAME"])))
            print(f"==> Created database {cfg['NAME']}")


if __name__ == "__main__":
    main(sys.argv[1])
