import datetime
from pathlib import Path

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from shegong.audit import checkpoints, services
from shegong.core.management.base import SystemCommand, fail


class Command(SystemCommand):
    help = (
        "Verify the audit log's keyed hash chain against its checkpoints, take a checkpoint, or prune entries "
        "older than six months."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser(
            "verify", help="check every entry and checkpoint; report the first broken entry or a missing tail"
        )
        verify.add_argument(
            "--checkpoint-file",
            action="append",
            default=[],
            help="a copy of the log output holding checkpoint lines (shegong.audit.checkpoint); repeatable",
        )
        sub.add_parser("checkpoint", help="take a signed checkpoint of the chain's head now")
        prune = sub.add_parser("prune", help="delete entries older than a date (at least 6 months ago)")
        prune.add_argument("--before", required=True, help="YYYY-MM-DD")

    def handle(self, *args, action, **options):
        if action == "verify":
            return self.verify(options["checkpoint_file"])
        if action == "checkpoint":
            point = services.checkpoint()
            self.stdout.write(
                _("已记录检查点 #%(id)s：第 %(seq)s 条，共 %(count)s 条")
                % {"id": point.pk, "seq": point.last_seq, "count": point.count}
            )
            return
        day = parse_date(options["before"])
        if day is None:
            raise fail("--before must be a date like 2026-01-31")
        before = timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))
        try:
            count = services.prune(before)
        except services.PruneRefused as exc:
            raise fail(str(exc)) from exc
        self.stdout.write(f"pruned {count} entries before {day}")

    def verify(self, files: list[str]) -> None:
        extra = []
        for name in files:
            try:
                found = checkpoints.parse(Path(name).read_text(encoding="utf-8", errors="replace"), name)
            except OSError as exc:
                raise fail(
                    _("无法读取检查点文件 %(name)s：%(error)s") % {"name": name, "error": exc}
                ) from exc
            except checkpoints.UnreadableLine as exc:
                raise fail(_("检查点文件中的一行无法解读：%(where)s") % {"where": exc}) from exc
            if not found:
                raise fail(_("文件 %(name)s 中没有检查点") % {"name": name})
            extra += found
        result = services.verify(extra)
        if not result.ok:
            raise fail(
                _("审计日志未通过核验：%(message)s（此前已核验 %(checked)s 条记录）")
                % {"message": result.message, "checked": result.checked}
            )
        self.stdout.write(
            _("审计日志完好：已核验 %(checked)s 条记录、%(points)s 个检查点")
            % {"checked": result.checked, "points": result.checkpoints}
        )
