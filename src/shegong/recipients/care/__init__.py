"""Visit care (探访关爱): the one policy engine behind every visit requirement, obligation and month rollup.

Everything that changes what a recipient owes goes through these names — the recipient services, the roster
import, the visit write (``shegong.visits``), the month-start task and ``reconcile`` alike — and nothing else
writes ``VisitObligation`` or ``VisitRollup`` (a test greps for it).

- ``policy``: the pure rules (frequencies, due dates, the month and quarter arithmetic), no database.
- ``rule_table`` / ``rule_tables``: the rules that apply in a region (nearest region with a table, else defaults).
- ``refresh_recipient``: recompute one recipient's requirement and due dates and open its month's obligation.
- ``record_visit``: a visit was written; ``drop_open_obligations``: the recipient left the registry.
- ``add_new_recipients``: bulk obligations for rows a roster import just wrote; ``backfill``: past months'
  obligations for visits loaded in bulk (the demo's history).
- ``open_month`` / ``villages_to_open``: the month-start ledger; ``reconcile``: recompute from raw visits.
"""

from . import policy
from .engine import (
    DEFAULT_TABLE,
    Difference,
    OpenedMonth,
    RuleTable,
    add_new_recipients,
    backfill,
    drop_open_obligations,
    due_candidates,
    open_month,
    reconcile,
    record_visit,
    refresh_recipient,
    rule_table,
    rule_tables,
    villages_to_open,
)

__all__ = [
    "DEFAULT_TABLE",
    "Difference",
    "OpenedMonth",
    "RuleTable",
    "add_new_recipients",
    "backfill",
    "drop_open_obligations",
    "due_candidates",
    "open_month",
    "policy",
    "reconcile",
    "record_visit",
    "refresh_recipient",
    "rule_table",
    "rule_tables",
    "villages_to_open",
]
