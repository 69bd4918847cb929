"""Appending to the audit chain. Every service write calls ``record`` in its transaction."""

from __future__ import annotations

import datetime as dt
import getpass
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, TypeAlias, TypeGuard

from django.db import models, transaction
from django.utils import timezone

from skillcert.audit.chain import EntryBody, EntryFields, begin_seal, canonical_json
from skillcert.audit.models import AuditEntry, AuditHead
from skillcert.rules import clock

if TYPE_CHECKING:  # not importable before the app registry is ready
    from django.contrib.auth.models import AnonymousUser


class Person(Protocol):
    """A signed-in account as the audit record needs it. The user model (``accounts``, a layer
    above) satisfies it; audit names no model of a higher app."""

    @property
    def pk(self) -> Any: ...

    @property
    def role(self) -> str: ...

    @property
    def signature(self) -> str: ...

    @property
    def is_authenticated(self) -> bool: ...

    def get_username(self) -> str: ...


@dataclass(frozen=True)
class ActorRef:
    """Who made a change: a user, the system (commands, sweeps) or the public."""

    name: str
    id: int | None = None
    role: str = ""


# Who acts on a service or a workflow: a signed-in user, the anonymous visitor of a public
# page (``request.user``), or a reference for the system, a command line or the public.
Actor: TypeAlias = "Person | AnonymousUser | ActorRef"

SYSTEM = ActorRef("system", None, "system")
PUBLIC = ActorRef("public", None, "public")


def command_line_actor() -> ActorRef:
    """The operating-system account running a ``skillcert`` command."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        name = "unknown"
    return ActorRef(f"cli:{name}", None, "system")


ACTOR_NAME_LENGTH = 150  # the width of every history row's actor column


def signed_in(actor: Actor | None) -> TypeGuard[Person]:
    """Whether ``actor`` is a signed-in user (not a reference, not the anonymous visitor)."""
    return not isinstance(actor, ActorRef) and bool(getattr(actor, "is_authenticated", False))


def actor_ref(actor: Actor | None) -> ActorRef:
    """Who acted, as histories name them: a user by its signature (``合肥市人社局 张明``, the
    organization's name, or the login name: ``User.signature``); the id keeps the account.
    Anyone not signed in (and ``None``) is the public."""
    if isinstance(actor, ActorRef):
        return actor
    if not signed_in(actor):
        return PUBLIC
    name = actor.signature or actor.get_username()
    return ActorRef(name[:ACTOR_NAME_LENGTH], actor.pk, actor.role)


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The model's concrete field values as JSON-ready data (foreign keys as ids)."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        if field.name in {"password"}:
            continue
        value = getattr(obj, field.attname)
        masked = getattr(field, "masked", None)  # personal data sealed at rest (keystore.fields)
        if masked is not None:
            value = masked(value)
        if isinstance(value, dt.date | dt.datetime):
            value = value.isoformat()
        data[field.name] = value
    return data


def record(
    *,
    actor: Actor,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str | int = "",
    before: Any = None,
    after: Any = None,
) -> AuditEntry:
    """Append one entry; must run inside the transaction of the change it records.

    Any failure raises, so the surrounding transaction (and the change) rolls back.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must be called inside the change's transaction")
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
    who = actor_ref(actor)
    body: EntryBody = {
        "business_date": clock.today(),
        "actor": who.name,
        "actor_id": who.id,
        "actor_role": who.role,
        "action": action,
        "object_type": object_type,
        "object_id": str(object_id),
        "before": canonical_json(before),
        "after": canonical_json(after),
    }
    pending = begin_seal(body)  # sealed before the lock: concurrent writers wait less
    # The head row exists from the migration on; it is recreated only after a test runner
    # emptied every table (a missing head with entries left would collide on ``seq``).
    head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
    fields = EntryFields(seq=head.seq + 1, recorded_at=timezone.now(), prev_hash=head.hash, **body)
    digest = pending.finish(
        seq=fields["seq"], recorded_at=fields["recorded_at"], prev_hash=fields["prev_hash"]
    )
    entry = AuditEntry.objects.create(hash=digest, **fields)
    AuditHead.objects.filter(pk=1).update(seq=entry.seq, hash=digest)
    return entry


EXPORT_ACTION = "export"


def record_export(
    actor: Actor,
    obj: models.Model | None = None,
    *,
    what: str,
    count: int | None = None,
    object_type: str = "",
    object_id: str | int = "",
) -> AuditEntry:
    """Record a download of personal data (action ``export``, domain.md §11): rosters, error
    reports, 附件4/附件5, talent statistics, certificate PDFs, national export files, audit
    exports. ``what`` names the file in Chinese (``附件5 合格人员证书信息表``), ``count`` the
    rows or certificates it holds when known. Called by each download view, of the pages
    and of the API, just before the file is sent; a failed write refuses the download."""
    with transaction.atomic():
        return record(
            actor=actor,
            action=EXPORT_ACTION,
            obj=obj,
            object_type=object_type,
            object_id=object_id,
            after={"what": what, "count": count},
        )
