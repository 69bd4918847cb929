"""``skillcert national export|send|list``: 附件5 exports for the national query system.

- ``national export --batch ID [--send]`` or ``national export --from YYYY-MM-DD --to YYYY-MM-DD
  [--send]``: make the export (or find the one made before for the same batch or period);
- ``national export --changes [--send]``: the revocations and corrections of certificates
  already reported, not reported yet (province);
- ``national send ID …`` or ``national send --all-pending``: send through the configured sender
  (an export already sent is not sent again; a failed one is retried);
- ``national list``: every export, newest first.

Bad input (an unknown batch, a malformed date, from after to, nothing to report) or a failed
send prints the reason and exits non-zero.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from skillcert.audit.service import ActorRef, command_line_actor
from skillcert.certificates import national
from skillcert.certificates.models import NationalExport, NationalExportKind
from skillcert.rules.errors import DomainError


def describe(export: NationalExport) -> str:
    if export.kind == NationalExportKind.BATCH:
        scope = f"批次 {export.batch_id}"
    elif export.kind == NationalExportKind.CHANGES:
        scope = "证书状态变更（撤销、更正）"
    else:
        scope = f"发证日期 {export.period_from} 至 {export.period_to}"
    created = timezone.localtime(export.created_at).strftime("%Y-%m-%d %H:%M")
    line = (
        f"#{export.pk} {scope}：证书 {export.certificate_count} 本，{export.file_name}，"
        f"{export.get_state_display()}，{created} 由 {export.created_by_name} 生成"
    )
    if export.sent_at:
        line += (
            f"，{timezone.localtime(export.sent_at):%Y-%m-%d %H:%M} 发送（回执 {export.receipt}）"
        )
    if export.attempts:
        line += f"，已尝试 {export.attempts} 次"
    if export.last_error:
        line += f"，最近错误：{export.last_error}"
    return line


class Command(BaseCommand):
    help = "National query system: export 附件5 per batch or period, send, list the outbox."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="make the 附件5 export of a batch or a period")
        export.add_argument("--batch", help="batch id")
        export.add_argument("--from", dest="start", help="first issue date, YYYY-MM-DD")
        export.add_argument("--to", dest="end", help="last issue date, YYYY-MM-DD")
        export.add_argument(
            "--changes",
            action="store_true",
            help="revocations and corrections of certificates already reported",
        )
        export.add_argument("--send", action="store_true", help="send it right away")
        send = sub.add_parser("send", help="send exports (by id, or all not yet sent)")
        send.add_argument("ids", nargs="*", help="export ids")
        send.add_argument(
            "--all-pending", action="store_true", help="every export not yet sent (and failed)"
        )
        sub.add_parser("list", help="list the exports, newest first")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = command_line_actor()
        try:
            if options["action"] == "export":
                self._export(options, actor)
            elif options["action"] == "send":
                self._send(options, actor)
            else:
                self._list(actor)
        except DomainError as exc:
            raise CommandError(exc.message) from exc

    def _export(self, options: dict[str, Any], actor: ActorRef) -> None:
        by_batch = options["batch"] is not None
        by_period = options["start"] is not None or options["end"] is not None
        by_changes = options["changes"]
        if by_batch + by_period + by_changes != 1:
            raise CommandError(
                "请指定 --batch 批次编号、--from 和 --to 发证日期时间段，或 --changes 状态变更"
                "（三选一）"
            )
        if by_changes:
            prepared = national.prepare(changes=True, actor=actor)
        elif by_batch:
            prepared = national.prepare(
                batch=national.parse_batch_id(options["batch"]), actor=actor
            )
        else:
            period = national.parse_period(options["start"] or "", options["end"] or "")
            prepared = national.prepare(period=period, actor=actor)
        export = prepared.export
        if prepared.created:
            self.stdout.write(f"已生成上报文件 {national.export_name(export)}")
        else:
            self.stdout.write("同一范围已有上报记录，未重复生成：")
        self.stdout.write(describe(export))
        if options["send"]:
            self._send_one(export, actor)

    def _send(self, options: dict[str, Any], actor: ActorRef) -> None:
        if options["all_pending"] == bool(options["ids"]):
            raise CommandError(
                "请指定上报记录编号，或使用 --all-pending 发送全部未发送的（二选一）"
            )
        if options["all_pending"]:
            exports = list(national.unsent(actor))
            if not exports:
                self.stdout.write("没有待发送的上报")
                return
        else:
            bad = [pk for pk in options["ids"] if not pk.isdigit()]
            if bad:
                raise CommandError(f"上报记录编号应为正整数：{'、'.join(bad)}")
            exports = [national.get_export_for_user(actor, int(pk)) for pk in options["ids"]]
        failures = 0
        for export in exports:
            failures += not self._send_one(export, actor, stop=False)
        if failures:
            raise CommandError(f"{failures} 个上报发送失败，可稍后重试")

    def _send_one(self, export: NationalExport, actor: ActorRef, *, stop: bool = True) -> bool:
        try:
            delivery = national.deliver(export, actor=actor)
        except national.SendFailed as exc:
            if stop:
                raise CommandError(f"#{export.pk} {exc.message}") from exc
            self.stderr.write(f"#{export.pk} {exc.message}")
            return False
        self.stdout.write(f"#{delivery.export.pk} {delivery.message}")
        return True

    def _list(self, actor: ActorRef) -> None:
        exports = national.exports_for(actor)
        if not exports.exists():
            self.stdout.write("尚无上报记录")
            return
        for export in exports:
            self.stdout.write(describe(export))
