"""The recipient register as an audited export (shegong.core.exports).

Fast at province scale: the region and worker come with each row (the spec's ``select_related``), the current
category memberships with one prefetch per chunk of rows, and only the columns written are read. The ID number and
phone are decrypted even for a masked file: the mask shows the first six and last four digits, which nothing
stored in clear holds (``bench/exports.py`` measures that cost beside the whole export).
"""

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shegong.core.exports import Column, ExportSpec, register
from shegong.core.masking import mask_id_number, mask_phone
from shegong.core.text import join_list

from . import selectors
from .models import CategoryMembership

FIELDS = (
    "pk",
    "uid",  # the encrypted columns' associated data
    "region_code",
    "name",
    "id_number",
    "phone",
    "address",
    "region_id",
    "region__name",
    "risk_tier",
    "status",
    "worker_id",
    "worker__name",
    "next_due_on",
)


def _filters(request) -> dict[str, str]:
    return {name: request.GET.get(name, "").strip() for name in selectors.FILTERS}


def _rows(filters: dict, actor):
    today = timezone.localdate()
    current = (
        CategoryMembership.objects.filter(Q(end_on__isnull=True) | Q(end_on__gte=today), start_on__lte=today)
        .select_related("category")
        .only("recipient_id", "region_code", "category__name", "start_on", "end_on")
        .order_by("pk")
    )
    return (
        selectors.recipients(**filters)
        .select_related(None)
        .only(*FIELDS)
        .prefetch_related(Prefetch("memberships", queryset=current, to_attr="current_memberships"))
    )


def _categories(r) -> str:
    names = [m.category.name for m in r.current_memberships]
    return join_list(names) if names else ""


def _display(field: str):
    """``r.get_<field>_display()``, translated once per value and language rather than once per row (a lazy
    choice label is translated again on every call, which at province scale cost more than writing the file)."""
    labels: dict[tuple[str | None, object], str] = {}
    getter = f"get_{field}_display"

    def label(r) -> str:
        key = (get_language(), getattr(r, field))
        text = labels.get(key)
        if text is None:
            text = labels[key] = str(getattr(r, getter)())
        return text

    return label


RECIPIENT_EXPORT = register(
    ExportSpec(
        key="recipients.recipient",
        title=_("服务对象名册"),
        permission="recipients.export",
        reveal_permission="recipients.reveal",
        filters=_filters,
        rows=_rows,
        select_related=("region", "worker"),
        limit=200_000,  # a province's register; above SHEGONG_BACKGROUND_EXPORT_ROWS it is built in the background
        columns=[
            Column(_("姓名"), lambda r: r.name),
            Column(_("身份证号"), lambda r: r.id_number, mask_id_number, width=22),
            Column(_("联系电话"), lambda r: r.phone, mask_phone, width=15),
            Column(_("村（社区）"), lambda r: r.region.name, width=20),
            Column(_("区划代码"), lambda r: r.region_id, width=15),
            Column(_("居住地址"), lambda r: r.address, width=30),
            Column(_("对象类别"), _categories, width=20),
            Column(_("风险等级"), _display("risk_tier")),
            Column(_("状态"), _display("status")),
            Column(_("责任社工"), lambda r: r.worker.name if r.worker else ""),
            Column(_("下次应访日期"), lambda r: r.next_due_on or "", width=14),
        ],
    )
)
