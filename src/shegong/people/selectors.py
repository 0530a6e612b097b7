"""Reads on social workers and volunteers."""

from __future__ import annotations


def staffing_by_node(node_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Full-time workers in post and how many of them are certified, per node."""
    from .models import WorkerAssignment

    return WorkerAssignment.staffing(node_ids)
