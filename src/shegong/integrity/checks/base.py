"""What every check is: a code, a title, a description, default thresholds and ``run``, a query over the records.

``run(under, since=None, params=…)`` yields a ``Hit`` for each problem it finds under the region ``under`` (a code,
"" for the whole active scope). ``since`` (a datetime) narrows it to problems touching records written since then
(an incremental run); a check that cannot narrow ignores it. ``params(region_code)`` gives the thresholds in force
in a region (the region's setting, inherited down the tree, over the check's defaults).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from shegong.core.regioncodes import subtree_bounds


@dataclass(frozen=True)
class Evidence:
    model: str  # app_label.model_name
    id: int
    text: str  # short and free of personal data: a date, a code, a record kind

    def as_dict(self) -> dict:
        return {"model": self.model, "id": self.id, "text": self.text}


@dataclass
class Hit:
    subject: str
    region_code: str
    summary: str
    evidence: list[Evidence] = field(default_factory=list)
    occurred_on: datetime.date | None = None
    node_id: int | None = None  # the station responsible, when there is one


Params = Callable[[str], dict]

# What each threshold is called on the settings page, with its unit (the keys are the checks' ``defaults``).
THRESHOLD_LABELS = {
    "grace_days": gettext_lazy("宽限期（天）"),
    "grace_hours": gettext_lazy("宽限期（小时）"),
    "min_gap_minutes": gettext_lazy("两次探访最短间隔（分钟）"),
    "max_speed_kmh": gettext_lazy("合理移动速度上限（公里/小时）"),
    "max_per_day": gettext_lazy("每日探访次数上限（次）"),
    "min_escalation": gettext_lazy("督办级别不低于（级）"),
}


def threshold_label(key: str) -> str:
    return str(THRESHOLD_LABELS.get(key, key))


class Check:
    code: str = ""
    title: str = ""
    description: str = ""
    defaults: dict[str, int] = {}
    # Whether ``since`` narrows the run; a check over state (a project's pace) always looks at everything.
    incremental: bool = True

    def run(
        self, under: str = "", since: datetime.datetime | None = None, *, params: Params
    ) -> Iterator[Hit]:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<Check {self.code}>"


def under_q(under: str, field: str = "region_code") -> Q:
    if not under:
        return Q()
    low, high = subtree_bounds(under)
    return Q(**{f"{field}__gte": low, f"{field}__lte": high})


def ev(obj, text: str) -> Evidence:
    return Evidence(model=obj._meta.label_lower, id=obj.pk, text=str(text))


def local_date(moment: datetime.datetime) -> datetime.date:
    return timezone.localtime(moment).date()


def first(values: Iterable):
    for value in values:
        return value
    return None
