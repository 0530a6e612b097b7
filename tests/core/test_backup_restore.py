"""scripts/backup.sh and scripts/restore.sh (PostgreSQL only): records with audit entries are dumped, restored into
a fresh cluster, and the audit chain verifies there; a tampered copy does not."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import psycopg
import pytest
from django.db import connection, connections

from shegong.audit import services as audit
from shegong.audit.models import AuditEvent

from .. import pgcluster
from ..conftest import TEST_AUDIT_KEYS, TEST_DATA_KEYS, TEST_INDEX_KEY
from ..recipients.helpers import make_recipient

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump and pg_restore need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]

CHECKOUT = Path(__file__).resolve().parents[2]


def _source_url() -> str:
    conf = connections["default"].settings_dict
    return f"postgres://{conf['USER']}@{conf['HOST'] or '127.0.0.1'}:{conf['PORT']}/{conf['NAME']}"


def _env(database_url: str, tmp_path: Path) -> dict:
    env = dict(os.environ)
    bindir = pgcluster.bindir()
    env.update(
        {
            "DATABASE_URL": database_url,
            "SHEGONG_ENV": "development",
            "SHEGONG_VAR": str(tmp_path / "var"),
            "SHEGONG_DATA_KEYS": TEST_DATA_KEYS,
            "SHEGONG_INDEX_KEY": TEST_INDEX_KEY,
            "SHEGONG_AUDIT_KEYS": TEST_AUDIT_KEYS,
            "SHEGONG_BIN": str(CHECKOUT / ".venv" / "bin" / "shegong"),
            "PATH": f"{bindir}{os.pathsep}{env.get('PATH', '')}" if bindir else env.get("PATH", ""),
        }
    )
    env.pop("DATABASE_REPLICA_URL", None)
    return env


def _run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(args, env=env, cwd=CHECKOUT, capture_output=True, text=True, timeout=600)


@pytest.fixture
def fresh_cluster():
    server = pgcluster.start_empty()
    yield server
    server.remove()


def test_a_dump_restores_into_a_fresh_cluster_and_its_audit_chain_verifies(world, tmp_path, fresh_cluster):
    for i in range(3):
        make_recipient("500103001001", name=f"备份对象{i}")
    audit.record("backup.test", actor_name="test", object_type="test", object_id="1", changes={"n": 1})
    audit.checkpoint()
    audit.record("backup.test", actor_name="test", object_type="test", object_id="2", changes={"n": 2})
    entries = AuditEvent.objects.count()
    assert entries >= 5

    dumped = _run(["scripts/backup.sh", str(tmp_path / "backups")], _env(_source_url(), tmp_path))
    assert dumped.returncode == 0, dumped.stderr
    dump = Path(dumped.stdout.strip().splitlines()[-1])
    assert dump.is_file() and Path(f"{dump}.sha256").is_file()

    target = fresh_cluster.url("shegong_restored")
    with psycopg.connect(
        fresh_cluster.url("postgres").replace("postgres://", "postgresql://"), autocommit=True
    ) as c:
        c.execute("CREATE DATABASE shegong_restored")
    restored = _run(["scripts/restore.sh", str(dump)], _env(target, tmp_path))
    assert restored.returncode == 0, restored.stdout + restored.stderr
    assert "审计日志完好" in restored.stdout
    with psycopg.connect(target.replace("postgres://", "postgresql://"), autocommit=True) as c:
        assert c.execute("SELECT count(*) FROM audit_auditevent").fetchone()[0] == entries
        assert c.execute("SELECT count(*) FROM recipients_recipient").fetchone()[0] == 3

        # The restored chain is really checked: rewrite one entry (past the triggers) and verify fails.
        c.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER USER")
        c.execute("UPDATE audit_auditevent SET object_id = 'forged' WHERE object_id = '1'")
        c.execute("ALTER TABLE audit_auditevent ENABLE TRIGGER USER")
    verified = _run([str(CHECKOUT / ".venv" / "bin" / "shegong"), "audit", "verify"], _env(target, tmp_path))
    assert verified.returncode != 0
    assert "审计日志未通过核验" in verified.stdout + verified.stderr


def test_restore_refuses_a_database_that_is_not_empty(tmp_path):
    dump = tmp_path / "none.dump"
    dump.write_bytes(b"")
    refused = _run(["scripts/restore.sh", str(dump)], _env(_source_url(), tmp_path))
    assert refused.returncode != 0
    assert "not empty" in refused.stderr
