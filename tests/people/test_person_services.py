"""Worker and volunteer records are written by the same create/update steps: same checks, same audit."""

from shegong.accounts.actor import SystemActor
from shegong.audit.models import AuditEvent
from shegong.people import services

from .helpers import make_worker


def _volunteer(world):
    return services.volunteer_create(
        actor=SystemActor(),
        data={"region": world.regions["village_a1"], "name": "小赵", "phone": "13800138000"},
    )


def test_a_changed_phone_is_audited_masked_for_volunteers_as_for_workers(world):
    volunteer = _volunteer(world)
    services.volunteer_update(actor=SystemActor(), volunteer=volunteer, data={"phone": "13900139000"})
    entry = AuditEvent.objects.get(action="people.volunteer.update", object_id=str(volunteer.pk))
    assert entry.changes["phone"] == {"before": "***", "after": "*** (changed)"}
    assert "13900139000" not in str(entry.changes)

    worker = make_worker(world.regions["town_a"], phone="13800138000")
    services.worker_update(actor=SystemActor(), worker=worker, data={"phone": "13900139000"})
    entry = AuditEvent.objects.get(action="people.worker.update", object_id=str(worker.pk))
    assert entry.changes["phone"] == {"before": "***", "after": "*** (changed)"}


def test_an_unchanged_save_writes_no_audit_entry(world):
    volunteer = _volunteer(world)
    services.volunteer_update(actor=SystemActor(), volunteer=volunteer, data={"phone": "13800138000"})
    assert not AuditEvent.objects.filter(action="people.volunteer.update").exists()
