"""The audit log's background work: the daily checkpoint of the chain's head (docs/operations.md)."""

from __future__ import annotations

from shegong.core.tasks import scoped_task

from . import checkpoints

checkpoint_due = checkpoints.due


@scoped_task
def take_checkpoint(*, actor_id: int | None) -> dict:
    """Take a signed checkpoint of the chain's head (a row and a log line). Enqueued daily by the scheduler."""
    point = checkpoints.take()
    return {"checkpoint": point.pk, "last_seq": point.last_seq}
