"""The recipient register as an audited export (shegong.core.exports).

Fast at province scale: the rows are read as named tuples of the written values only (the spec's ``values``: the
region's and worker's names joined in the same query, the current categories aggregated by a subquery), so no
model instance is built per row and nothing is fetched row by row. The ID number and phone are decrypted even for a
masked file: the mask shows the first six and last four digits, which nothing stored in clear holds
(``bench/exports.py`` measures that cost beside the whole export).
"""

from django.db import connection
from django.db.models import OuterRef, Q, StringAgg, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shegong.core.exports import Column, ExportSpec, choice_label, register, sealed_value
from shegong.core.masking import mask_id_number, mask_phone
from shegong.core.text import join_list

from . import selectors
from .models import CategoryMembership, Recipient

# Joins the current category names in one value; a character no name holds, split again when written.
_SEPARATOR = "\x1f"

VALUES = (
    "uid",  # the encrypted columns' associated data
    "region_code",  # the reveal check
    "name",
    "id_number",
    "phone",
    "address",
    "region_id",
    "region__name",
    "risk_tier",
    "status",
    "worker__name",
    "next_due_on",
    "categories",
)


def _filters(request) -> dict[str, str]:
    return {name: request.GET.get(name, "").strip() for name in selectors.FILTERS}


def _membership_order() -> str | None:
    return "pk" if connection.features.supports_aggregate_order_by_clause else None


def _rows(filters: dict, actor):
    today = timezone.localdate()
    current = (
        CategoryMembership.objects.filter(
            Q(end_on__isnull=True) | Q(end_on__gte=today), recipient=OuterRef("pk"), start_on__lte=today
        )
        .order_by()
        .values("recipient")
        # In the order they were recognised; an older SQLite cannot order an aggregate and joins them as it reads
        # them (by the recipient index, which is the same order in practice).
        .annotate(names=StringAgg("category__name", Value(_SEPARATOR), order_by=_membership_order()))
        .values("names")
    )
    return selectors.recipients(**filters).select_related(None).annotate(categories=Subquery(current))


def _categories(r) -> str:
    return join_list(r.categories.split(_SEPARATOR)) if r.categories else ""


_risk = choice_label(Recipient, "risk_tier")
_status = choice_label(Recipient, "status")


RECIPIENT_EXPORT = register(
    ExportSpec(
        key="recipients.recipient",
        title=_("服务对象名册"),
        permission="recipients.export",
        reveal_permission="recipients.reveal",
        filters=_filters,
        rows=_rows,
        values=VALUES,
        limit=200_000,  # a province's register; above SHEGONG_BACKGROUND_EXPORT_ROWS it is built in the background
        columns=[
            Column(_("姓名"), lambda r: r.name),
            Column(_("身份证号"), sealed_value(Recipient, "id_number"), mask_id_number, width=22),
            Column(_("联系电话"), sealed_value(Recipient, "phone"), mask_phone, width=15),
            Column(_("村（社区）"), lambda r: r.region__name, width=20),
            Column(_("区划代码"), lambda r: r.region_id, width=15),
            Column(_("居住地址"), lambda r: r.address, width=30),
            Column(_("对象类别"), _categories, width=20),
            Column(_("风险等级"), lambda r: _risk(r.risk_tier)),
            Column(_("状态"), lambda r: _status(r.status)),
            Column(_("责任社工"), lambda r: r.worker__name or ""),
            Column(_("下次应访日期"), lambda r: r.next_due_on or "", width=14),
        ],
    )
)
