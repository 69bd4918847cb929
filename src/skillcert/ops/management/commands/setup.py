"""``skillcert setup``: create or migrate the database and load the reference data (idempotent)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from skillcert.accounts.models import Authority
from skillcert.accounts.services import load_authorities
from skillcert.audit.service import command_line_actor
from skillcert.certificates.keys import ensure_key
from skillcert.reference.models import Occupation
from skillcert.reference.selectors import work_calendar
from skillcert.reference.services import load_occupation_catalog, seed_service_guides
from skillcert.rules.errors import DomainError


class Command(BaseCommand):
    help = "Create or migrate the database, load reference data, collect static files."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-static", action="store_true", help="skip collecting static files")

    def handle(self, *args: Any, **options: Any) -> None:
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0))
        actor = command_line_actor()
        load_authorities(actor=actor)
        occupations = load_occupation_catalog(actor=actor)
        seed_service_guides(actor=actor)  # 办事指南: the missing ones only (edits are kept)
        try:
            signing_key = ensure_key()  # imports an older version's key directory once
        except DomainError as exc:  # a wrong master key, an unreadable old key
            raise CommandError(exc.message) from exc
        if not options["no_static"]:
            call_command("collectstatic", interactive=False, verbosity=0)
        calendar = work_calendar()
        years = calendar.library_years()
        self.stdout.write(
            f"数据库已就绪（{settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}）："
            f"{Authority.objects.count()} 个人社部门，{Occupation.objects.count()} 个职业"
            f"（本次新增 {occupations['created']}，更新 {occupations['updated']}），"
            f"节假日数据覆盖 {years.start}-{years.stop - 1} 年；电子证书签名密钥 {signing_key.kid}"
        )
