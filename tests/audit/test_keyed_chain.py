"""The audit chain is keyed (HMAC-SM3 under SHEGONG_AUDIT_KEYS) and its head is checkpointed, so that someone with
write access to the database — but not the key — can neither rewrite old entries nor cut the tail off unseen
(docs/adr/0004-keyed-audit-chain.md)."""

import base64
import datetime
import logging

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from shegong.audit import chain, checkpoints, services
from shegong.audit.models import AppendOnlyError, AuditChainHead, AuditCheckpoint, AuditEvent
from shegong.audit.tasks import checkpoint_due, take_checkpoint
from shegong.core import crypto

from ..conftest import TEST_AUDIT_KEYS
from .helpers import triggers_bypassed

pytestmark = pytest.mark.django_db

NEW_AUDIT_KEY = "a2:" + base64.urlsafe_b64encode(b"the-next-audit-key-after-rotate!").decode().rstrip("=")


@pytest.fixture
def entries(db):
    """Eight entries; the third is a reveal of a sensitive value, the kind a culprit wants to disown."""
    made = [services.record("test.write", actor_name=f"u{i}", changes={"n": i}) for i in range(2)]
    made.append(
        services.record(
            "reveal",
            actor_name="alice",
            object_type="people.worker",
            object_id="42",
            changes={"field": "id_number"},
            reason="核对身份",
        )
    )
    made += [services.record("test.write", actor_name=f"u{i}", changes={"n": i}) for i in range(3, 8)]
    return made


@pytest.fixture
def audit_keys(settings):
    """Change SHEGONG_AUDIT_KEYS for one test."""

    def use(spec: str) -> None:
        settings.AUDIT_KEYS = spec
        crypto.reset_keyring()

    yield use
    settings.AUDIT_KEYS = TEST_AUDIT_KEYS
    crypto.reset_keyring()


@pytest.fixture
def logged(caplog, django_capture_on_commit_callbacks):
    """Run a block with its on-commit callbacks executed; the checkpoint lines it logged."""
    from contextlib import contextmanager

    lines: list[str] = []

    @contextmanager
    def block():
        with caplog.at_level(logging.INFO, logger=checkpoints.LOGGER_NAME):
            with django_capture_on_commit_callbacks(execute=True):
                yield lines
        lines.extend(r.getMessage() for r in caplog.records if r.name == checkpoints.LOGGER_NAME)

    return block


def rewrite(seq: int, hasher, **changes) -> None:
    """What an attacker past the triggers does: change entry ``seq``, then recompute the hash of it and of every
    later entry with ``hasher`` and move the chain head to the new last hash, so every link holds again."""
    with triggers_bypassed() as cursor:
        for column, value in changes.items():
            cursor.execute(f"UPDATE audit_auditevent SET {column} = %s WHERE seq = %s", [value, seq])  # noqa: S608
        previous = AuditEvent.objects.get(seq=seq - 1).hash if seq > 1 else services.GENESIS
        for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq"):
            event.prev_hash = previous
            event.hash = hasher(event)
            cursor.execute(
                "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE seq = %s",
                [event.prev_hash, event.hash, event.seq],
            )
            previous = event.hash
        cursor.execute("UPDATE audit_auditchainhead SET last_hash = %s", [previous])


def unkeyed_sm3(event: AuditEvent) -> str:
    """The hash the chain used before it was keyed: anyone can compute it."""
    return crypto.sm3_hex(chain.canonical(event))


def attackers_own_key(event: AuditEvent) -> str:
    return crypto.hmac_sm3_hex(
        b"a key the attacker made up myself", chain.ENTRY_DOMAIN + chain.canonical(event)
    )


def verify_fails(match: str, *args) -> str:
    with pytest.raises(CommandError, match=match) as caught:
        call_command("audit", "verify", *args)
    return str(caught.value)


def test_an_intact_keyed_chain_verifies(entries, capsys):
    assert all(e.key_id == "a1" for e in entries)
    assert entries[0].hash != unkeyed_sm3(entries[0])  # the stored hash is keyed
    services.checkpoint()
    result = services.verify()
    assert result.ok and result.checked == 8 and result.checkpoints == 1
    call_command("audit", "verify")
    assert "8" in capsys.readouterr().out


@pytest.mark.parametrize("hasher", [unkeyed_sm3, attackers_own_key], ids=["unkeyed-sm3", "another-key"])
def test_rewriting_an_old_reveal_and_rechaining_without_the_key_is_named(entries, hasher):
    reveal = entries[2]
    rewrite(reveal.seq, hasher, actor_name="bob", reason="例行检查")
    assert AuditEvent.objects.get(seq=reveal.seq).actor_name == "bob"
    result = services.verify()
    assert not result.ok and result.broken_seq == reveal.seq
    message = verify_fails(f"#{reveal.seq}")
    assert "reveal" in message
    assert timezone.localtime(reveal.at).strftime("%Y-%m-%d %H:%M:%S") in message


def test_claiming_an_entry_was_never_keyed_does_not_help(entries):
    # Downgrade: mark the rewritten entries as written without a key version and hash them plainly.
    with triggers_bypassed() as cursor:
        cursor.execute("UPDATE audit_auditevent SET key_id = '' WHERE seq >= %s", [entries[2].seq])
    rewrite(entries[2].seq, unkeyed_sm3, actor_name="bob")
    result = services.verify()
    assert result.broken_seq == entries[2].seq
    verify_fails(f"#{entries[2].seq}")


def test_cutting_the_tail_and_moving_the_head_back_is_detected(entries):
    services.checkpoint()
    kept = entries[4]
    with triggers_bypassed() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq > %s", [kept.seq])
        cursor.execute("UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s", [kept.seq, kept.hash])
    result = services.verify()
    assert not result.ok and result.checked == 5
    day = timezone.localdate().isoformat()
    verify_fails(f"止于第 {kept.seq} 条.*{day}.*第 {entries[-1].seq} 条")


def test_a_forged_or_altered_checkpoint_is_reported(entries):
    point = services.checkpoint()
    with triggers_bypassed() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq > %s", [entries[4].seq])
        cursor.execute(
            "UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s", [entries[4].seq, entries[4].hash]
        )
        # Moving the checkpoint back with the chain does not work without the key either.
        cursor.execute(
            "UPDATE audit_auditcheckpoint SET last_seq = %s, last_hash = %s WHERE id = %s",
            [entries[4].seq, entries[4].hash, point.pk],
        )
    result = services.verify()
    assert not result.ok
    verify_fails(f"检查点 #{point.pk}.*签名无效")


def test_rechaining_with_the_key_is_caught_by_an_earlier_checkpoint(entries):
    """Someone holding the key as well can rebuild the chain, but not match a checkpoint taken before."""
    point = services.checkpoint()
    rewrite(entries[2].seq, chain.entry_hash, actor_name="bob")
    result = services.verify()
    assert result.broken_seq == entries[-1].seq and result.checked == 8
    verify_fails(f"第 #{entries[-1].seq} 条的哈希.*检查点 #{point.pk}.*重新串链")


def test_a_tail_written_after_the_last_checkpoint_is_not_yet_protected(entries):
    """The window a checkpoint leaves open (documented): entries after it can go unseen until the next one."""
    services.checkpoint()
    extra = services.record("test.write", actor_name="late")
    with triggers_bypassed() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq = %s", [extra.seq])
        cursor.execute(
            "UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s",
            [entries[-1].seq, entries[-1].hash],
        )
    assert services.verify().ok


def test_key_rotation_verifies_old_and_new_entries(entries, audit_keys):
    services.checkpoint()
    audit_keys(f"{NEW_AUDIT_KEY},{TEST_AUDIT_KEYS}")  # the new version first: it chains new entries
    later = [services.record("test.after-rotation", actor_name="u") for _ in range(2)]
    assert {e.key_id for e in later} == {"a2"}
    assert later[0].prev_hash == entries[-1].hash
    second = services.checkpoint()
    assert second.key_id == "a2"
    result = services.verify()
    assert result.ok and result.checked == 10 and result.checkpoints == 2

    audit_keys(NEW_AUDIT_KEY)  # the old version dropped too early: its entries can no longer be verified
    result = services.verify()
    assert result.broken_seq == entries[0].seq and "a1" in result.message


def test_the_checkpoint_table_is_append_only(entries):
    point = services.checkpoint()
    statements = ["UPDATE audit_auditcheckpoint SET last_seq = 1", "DELETE FROM audit_auditcheckpoint"]
    if connection.vendor == "postgresql":
        statements.append("TRUNCATE audit_auditcheckpoint")
    for sql in statements:
        with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(sql)
    with pytest.raises(AppendOnlyError):
        AuditCheckpoint.objects.filter(pk=point.pk).update(last_seq=1)
    with pytest.raises(AppendOnlyError):
        point.delete()
    assert AuditCheckpoint.objects.get(pk=point.pk).last_seq == entries[-1].seq


def test_the_checkpoint_task_writes_a_row_and_a_log_line(entries, logged):
    assert checkpoint_due()
    with logged() as lines:
        outcome = take_checkpoint.call(actor_id=None)
    point = AuditCheckpoint.objects.get()
    assert (point.last_seq, point.last_hash, point.count) == (entries[-1].seq, entries[-1].hash, 8)
    assert outcome == {"checkpoint": point.pk, "last_seq": point.last_seq}
    assert len(lines) == 1 and point.last_hash in lines[0] and point.mac in lines[0]
    assert not checkpoint_due()  # one a day


def test_the_daily_checkpoint_is_a_schedule(entries):
    from shegong.core import schedules

    schedule = next(s for s in schedules.SCHEDULES if s.name == "audit.checkpoint")
    assert schedule.task is take_checkpoint and schedule.is_due is checkpoint_due
    outcome = next(o for o in schedules.run_due(inline=True) if o.schedule is schedule)
    assert outcome.action == "ran" and AuditCheckpoint.objects.count() == 1
    assert next(o for o in schedules.run_due() if o.schedule is schedule).action == "not due"


def test_the_checkpoint_command(entries, capsys, logged):
    with logged() as lines:
        call_command("audit", "checkpoint")
    assert AuditCheckpoint.objects.get().last_seq == entries[-1].seq
    assert str(entries[-1].seq) in capsys.readouterr().out
    assert len(lines) == 1 and lines[0].startswith(checkpoints.MARKER)


def log_file(tmp_path, lines: list[str]):
    """The checkpoint lines as an operator copies them out of the log output, among other lines."""
    formatted = [f"2026-01-01 00:00:00,000 INFO {checkpoints.LOGGER_NAME} {line}" for line in lines]
    path = tmp_path / "checkpoints.log"
    path.write_text("\n".join(["2026-01-01 INFO django.request something else", *formatted]) + "\n")
    return path


def test_verify_against_a_checkpoint_file(entries, tmp_path, logged, capsys):
    with logged() as lines:
        services.checkpoint()
    path = log_file(tmp_path, lines)
    call_command("audit", "verify", "--checkpoint-file", str(path))
    assert "完好" in capsys.readouterr().out

    # The attacker removes the tail, moves the head back and deletes the checkpoints kept in the database too:
    kept = entries[3]
    with triggers_bypassed() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq > %s", [kept.seq])
        cursor.execute("UPDATE audit_auditchainhead SET last_seq = %s, last_hash = %s", [kept.seq, kept.hash])
        cursor.execute("DELETE FROM audit_auditcheckpoint")
    assert services.verify().ok  # the database alone no longer shows it ...
    verify_fails(
        f"止于第 {kept.seq} 条.*第 {entries[-1].seq} 条", "--checkpoint-file", str(path)
    )  # ... the copy does


def test_a_forged_line_in_the_checkpoint_file_is_reported(entries, tmp_path, logged):
    with logged() as lines:
        services.checkpoint()
    genuine = lines[0]
    forged = genuine.replace(f'"last_seq":{entries[-1].seq}', f'"last_seq":{entries[-1].seq + 5}')
    assert forged != genuine
    path = log_file(tmp_path, [genuine, forged])
    verify_fails("检查点", "--checkpoint-file", str(path))
    empty = tmp_path / "nothing.log"
    empty.write_text("no checkpoints here\n")
    verify_fails("检查点", "--checkpoint-file", str(empty))


def backdate(seqs: list[int], days: int = 400) -> None:
    old = timezone.now() - datetime.timedelta(days=days)
    with triggers_bypassed() as cursor:
        for seq in seqs:
            cursor.execute("UPDATE audit_auditevent SET at = %s WHERE seq = %s", [old, seq])


def test_prune_keeps_the_chain_and_its_checkpoints_verifiable(db, tmp_path, logged):
    def write(n: int) -> list[AuditEvent]:
        return [services.record("test.write", actor_name="u", changes={"n": i}) for i in range(n)]

    with logged() as lines:
        pruned = write(2)
        services.checkpoint()  # before the prune point: its entry will be gone
        pruned += write(1)
        services.checkpoint()  # exactly at the prune point: checked against the chain's new start
        kept = write(2)
        services.checkpoint()  # after it: checked against the remaining entries
    backdate([e.seq for e in pruned])  # (rewriting `at` breaks those entries' hashes: the prune removes them)
    assert services.prune(timezone.now() - datetime.timedelta(days=200)) == 3
    head = AuditChainHead.objects.get()
    assert (head.pruned_through_seq, head.pruned_anchor_hash) == (pruned[-1].seq, pruned[-1].hash)
    services.checkpoint()
    result = services.verify()
    assert result.ok and result.checked == len(kept) and result.checkpoints == 4
    call_command("audit", "verify", "--checkpoint-file", str(log_file(tmp_path, lines)))


def test_a_prune_marker_cannot_be_forged_to_hide_a_deleted_prefix(entries):
    services.checkpoint()
    cut = entries[4]
    with triggers_bypassed() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE seq <= %s", [cut.seq])
        cursor.execute(
            "UPDATE audit_auditchainhead SET pruned_through_seq = %s, pruned_anchor_hash = %s",
            [cut.seq, cut.hash],
        )
    result = services.verify()
    assert not result.ok
    verify_fails("删减")


def test_keys_generate_prints_an_audit_key(capsys):
    call_command("keys", "generate")
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("SHEGONG_AUDIT_KEYS="))
    parsed = crypto.parse_audit_keys(line.partition("=")[2])
    assert parsed.current_id == "a1" and len(parsed.keys["a1"]) == 32


def test_bad_audit_keys_are_refused():
    from django.core.exceptions import ImproperlyConfigured

    for spec in ("", "a1", "a1:" + base64.urlsafe_b64encode(b"short").decode()):
        with pytest.raises(ImproperlyConfigured, match="SHEGONG_AUDIT_KEYS"):
            crypto.parse_audit_keys(spec)


@pytest.mark.slow
def test_production_refuses_to_start_without_an_audit_key(tmp_path):
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "SHEGONG_ENV": "production",
        "SHEGONG_SECRET_KEY": "x" * 20 + "A9!kZ" * 10,
        "SHEGONG_ALLOWED_HOSTS": "shegong.example.org",
        "SHEGONG_DATA_KEYS": "k1:MDEyMzQ1Njc4OWFiY2RlZg",
        "SHEGONG_INDEX_KEY": "aW5kZXgta2V5LWZvci10ZXN0cy1vbmx5LTMyYnl0ZXM",
        "SHEGONG_VAR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
    }
    env.pop("SHEGONG_AUDIT_KEYS", None)
    result = subprocess.run(
        [sys.executable, "-m", "shegong.cli", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "SHEGONG_AUDIT_KEYS" in result.stderr


def test_development_gets_an_audit_key_added_to_an_older_local_key_file(settings, tmp_path, audit_keys):
    path = tmp_path / "keys.env"
    path.write_text(
        "SHEGONG_DATA_KEYS=k1:MDEyMzQ1Njc4OWFiY2RlZg\nSHEGONG_INDEX_KEY=aW5kZXgta2V5LWZvci10ZXN0cy1vbmx5\n"
    )
    settings.LOCAL_KEY_FILE = path
    audit_keys("")  # not set in the environment: outside production the local file provides it
    first = crypto.audit_keys()
    assert first.current_id == "a1" and "SHEGONG_AUDIT_KEYS=a1:" in path.read_text()
    crypto.reset_keyring()
    assert crypto.audit_keys() == first  # kept, not generated again
    assert path.read_text().startswith("SHEGONG_DATA_KEYS=k1:MDEyMzQ1Njc4OWFiY2RlZg\n")
