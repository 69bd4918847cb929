"""Objections during a publicity (公示期异议) and their resolution, for both things one may
object to: a filing case in its publicity (三 (二)) and a batch's result publicity (五 (三)).

One lodge and one resolve service. They live at the assessment level because they reach both
subjects' workflows: registry (below) owns the ``Objection`` model and its workflow, and
knows who resolves an objection from the subject's own machine (``machine_for``).

Follow-up (domain.md §9): on lodging, the objection takes a case number (``YY-…``), the
objector's *reference*, and a random *code* shown once; only a keyed hash of the code is kept
(HMAC-SM3 under a key derived from the master key, bound to the reference). Anyone holding both
reads the objection's state and, once resolved, the outcome and reason
(``find_public``/``public_view``); a wrong code answers exactly like an unknown reference.
Who resolves it and the organization concerned are told when it is lodged and resolved,
never who objected.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any

from django.db import transaction

from skillcert.accounts.actors import acting_user
from skillcert.accounts.roles import Role
from skillcert.assessment.machines import BATCH_MACHINE
from skillcert.assessment.models import Batch
from skillcert.audit import service as audit
from skillcert.audit.service import Actor
from skillcert.inbox.service import notify, officers, organization_users
from skillcert.keystore.master import derived_key
from skillcert.keystore.sm import hmac_sm3
from skillcert.registry.inputs import ObjectionRequest
from skillcert.registry.machines import FILING_MACHINE, OBJECTION_MACHINE
from skillcert.registry.models import FilingCase, Notice, NoticeKind, Objection, ObjectionState
from skillcert.rules import clock
from skillcert.rules.errors import Conflict, DomainError, InvalidInput, NotFound
from skillcert.rules.inputs import Body
from skillcert.rules.workflow import Transition
from skillcert.workflow.machine import Machine, machine_for
from skillcert.workflow.numbers import next_case_number

Subject = FilingCase | Batch

CASE_KIND = "YY"  # 异议 (domain.md §9)
CODE_LABEL = "objection-code-v1"  # the key of the codes' keyed hashes
# No 0/O, 1/I/L: read aloud or copied from paper without doubt.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8
NOT_FOUND_MESSAGE = "未查询到该异议，请核对办件编号和查询码"
OUTCOME_LABELS: dict[str, str] = {
    ObjectionState.UPHELD: "异议成立",
    ObjectionState.DISMISSED: "异议不成立",
}


def new_code() -> str:
    """A random code for the objector (8 characters, about 40 bits)."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalized_code(code: object) -> str:
    """The code as typed, upper case, without spaces or dashes."""
    text = code if isinstance(code, str) else ""
    return "".join(ch for ch in text.upper() if ch not in " -\t")[:64]


def code_hash(reference: str, code: str) -> str:
    """The keyed hash stored in place of the code (hex HMAC-SM3, bound to the reference)."""
    data = f"{reference}\x00{normalized_code(code)}".encode()
    return hmac_sm3(derived_key(CODE_LABEL), data).hex()


def find_public(reference: object, code: object) -> Objection:
    """The objection a reference and its code name; a wrong code, an unknown reference or a
    malformed one are the same 404 (no answer tells whether the reference exists)."""
    ref = reference.strip().upper() if isinstance(reference, str) else ""
    objection = (
        Objection.objects.filter(case_number=ref).exclude(case_number="").first()
        if 0 < len(ref) <= 24
        else None
    )
    expected = objection.code_hash if objection is not None else "0" * 64
    # The hash is computed in every case, and compared in constant time.
    given = code_hash(ref, code if isinstance(code, str) else "")
    if not hmac.compare_digest(given, expected) or objection is None or not objection.code_hash:
        raise NotFound(NOT_FOUND_MESSAGE, code="not_found")
    return objection


def public_view(objection: Objection) -> dict[str, Any]:
    """What the objector reads: the state and, once resolved, the outcome and reason."""
    data: dict[str, Any] = {
        "reference": objection.case_number,
        "state": objection.state,
        "state_label": objection.get_state_display(),
        "lodged_at": objection.lodged_at,
    }
    if not objection.is_open:
        data.update(
            outcome=objection.state,
            outcome_label=OUTCOME_LABELS.get(objection.state, ""),
            reason=objection.resolution,
            resolved_at=objection.resolved_at,
        )
    return data


def _text(value: Any, label: str, limit: int) -> tuple[str, str | None]:
    """The stripped text and what is wrong with it (None: nothing)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return text, f"请填写{label}"
    if len(text) > limit:
        return text, f"{label}不能超过 {limit} 个字符"
    return text, None


def _lodged(data: object) -> tuple[str, str]:
    """The objection's content and contact, or 400 naming every wrong field."""
    body = Body(ObjectionRequest, data)
    if not body.is_object:
        raise InvalidInput("请求内容应为 JSON 对象")
    content, content_error = _text(body.get("content"), "异议内容", 2000)
    contact, contact_error = _text(body.get("contact"), "联系方式", 100)
    fields = {
        field: [error]
        for field, error in (("content", content_error), ("contact", contact_error))
        if error is not None
    }
    if fields:
        raise InvalidInput(next(iter(fields.values()))[0], fields=fields)
    return content, contact


def _not_in_publicity(subject: Subject, exc: Conflict) -> DomainError:
    """The answer to an objection the subject's ``objections`` step refused. Not in its
    publicity: answered like an absent one (404), except a batch whose results were published
    and whose publicity time (or a person) has since moved on (409 ``publicity_ended``)."""
    if exc.code != "invalid_state":
        return exc  # the guard: the publicity's last day has passed
    if isinstance(subject, FilingCase):
        return NotFound("该申请不在公示期", code="not_found")
    if subject.publicity_end is None:  # no results published to object to
        return NotFound("该批次不在结果公示期", code="not_found")
    return Conflict(f"公示期已于 {subject.publicity_end} 结束", code="publicity_ended")


def lodge_objection(subject: Subject, data: object, *, actor: Actor | None = None) -> Objection:
    """Anyone may object while the publicity runs (through its last day). The objection
    returned carries its ``code`` in clear (an attribute, never stored): shown to the objector
    once, with its case number as the reference."""
    content, contact = _lodged(data)
    who = actor or audit.PUBLIC
    machine: Machine[Any] = machine_for(subject)
    with transaction.atomic():
        subject = machine.lock(subject.pk)
        try:
            machine.check(subject, "objections", who)
        except Conflict as exc:
            raise _not_in_publicity(subject, exc) from None
        code = new_code()
        if isinstance(subject, FilingCase):
            number = next_case_number(CASE_KIND, subject.authority.code, clock.today().year)
            objection = Objection.objects.create(
                filing=subject,
                content=content,
                contact=contact,
                case_number=number,
                code_hash=code_hash(number, code),
            )
            # The contact (a name and a phone) stays on the objection, sealed; not in the audit.
            action, after = "registry.objection.lodged", {"filing": subject.pk}
        else:
            number = next_case_number(CASE_KIND, subject.site_city.code, clock.today().year)
            objection = Objection.objects.create(
                batch=subject,
                content=content,
                contact=contact,
                case_number=number,
                code_hash=code_hash(number, code),
            )
            action, after = "assessment.objection.lodged", {"batch": subject.pk}
        audit.record(
            actor=who,
            action=action,
            obj=objection,
            after={**after, "case_number": number, "content": content},
        )
        _tell_lodged(objection, subject)
    objection.code = code  # type: ignore[attr-defined]  # shown once, never stored
    return objection


def check_resolvable(objection: Objection, actor: Actor) -> Transition:
    """The ``resolve`` step on the locked objection: 403 for who may not resolve it, 409
    ``already_resolved`` once it is resolved (the code answered before the engine)."""
    try:
        return OBJECTION_MACHINE.check(objection, "resolve", actor)
    except Conflict as exc:
        if exc.code == "invalid_state":
            raise Conflict("该异议已处理", code="already_resolved") from None
        raise


def resolve_objection(objection: Objection, *, upheld: Any, reason: Any, actor: Actor) -> Objection:
    """Who handles the publicity resolves the objection (the filing's reviewer; the batch's
    site-city center and bureau, or the province). Upheld, it drives the subject's
    ``uphold-objection`` step: the case ends as not selected, or the batch's results go back
    to be corrected and published again. Dismissed, a batch's publicity may close."""
    if not isinstance(upheld, bool):
        raise InvalidInput.for_field("upheld", "请说明异议是否成立（true 或 false）")
    text, error = _text(reason, "处理意见", 2000)
    if error is not None:
        raise InvalidInput.for_field("reason", error)
    OBJECTION_MACHINE.check_party(objection, "resolve", actor)
    with transaction.atomic():
        objection = OBJECTION_MACHINE.lock(objection.pk)
        if objection.filing_id is not None:
            subject: Subject = FILING_MACHINE.lock(objection.filing_id)
        else:
            assert objection.batch_id is not None, "an objection has one subject"
            # As stored: the open objection holds its publicity from closing.
            subject = BATCH_MACHINE.lock_plain(objection.batch_id)
        resolve = check_resolvable(objection, actor)
        objection.resolution = text
        objection.resolved_by = acting_user(actor)
        objection.resolved_at = clock.now()
        OBJECTION_MACHINE.move(
            objection,
            resolve,
            actor=actor,
            note=text,
            outcome=ObjectionState.UPHELD if upheld else ObjectionState.DISMISSED,
            extra_fields=["resolution", "resolved_by", "resolved_at"],
        )
        if isinstance(subject, FilingCase):
            if upheld:
                _uphold_on_filing(subject, text, actor)
        elif upheld:
            _uphold_on_batch(subject, text, actor)
        else:
            BATCH_MACHINE.catch_up(subject)  # the last open objection may have held it
        _tell_resolved(objection, subject)
    return objection


# --- messages (in the step's transaction) -------------------------------------------------


def _subject_name(subject: Subject) -> str:
    if isinstance(subject, FilingCase):
        return str(subject.basic.get("name") or subject.organization.name)
    return f"{subject.organization.name}“{subject.title}”"


def _subject_ref(subject: Subject) -> str:
    if isinstance(subject, FilingCase):
        number = getattr(subject, "case_number", "")
        return f"备案申请 {number}" if number else "备案申请"
    return "认定结果公示"


def _resolvers(subject: Subject) -> Any:
    """Who resolves an objection: the filing's deciding bureau (the province department for
    the province channel); for a batch's results, the site city's appraisal center."""
    if isinstance(subject, FilingCase):
        role = Role.PROVINCE_DEPT if subject.authority.is_province else Role.CITY_BUREAU
        return officers([role], subject.authority_id)
    return officers([Role.CITY_CENTER], subject.site_city_id)


def _links(subject: Subject) -> tuple[str, str, str]:
    """(the officers' page, the organization's page, the message subject)."""
    if isinstance(subject, FilingCase):
        return (
            f"/review/filings/{subject.pk}#objections",
            f"/org/filings/{subject.pk}",
            f"filing:{subject.pk}",
        )
    return (
        f"/review/batches/{subject.pk}#objections",
        f"/org/batches/{subject.pk}#objections",
        f"batch:{subject.pk}",
    )


def _tell_lodged(objection: Objection, subject: Subject) -> None:
    review_link, org_link, about = _links(subject)
    name, number = _subject_name(subject), objection.case_number
    notify(
        _resolvers(subject),
        event="objection.lodged",
        title=f"收到公示期异议 {number}（{name}）",
        body=f"公众对{name}的{_subject_ref(subject)}提出了异议（办件编号 {number}），"
        "请核实处理并填写处理意见。异议处理完毕前不予办结。",
        link=review_link,
        subject=about,
    )
    # The organization is told that an objection arrived, never who lodged it.
    notify(
        organization_users(subject.organization_id),
        event="objection.received",  # informs only: the resolvers act
        title=f"公示期内收到异议 {number}",
        body=f"{name}的{_subject_ref(subject)}在公示期内收到一条异议（办件编号 {number}），"
        "主管部门将核实处理，处理结果将另行告知。",
        link=org_link,
        subject=about,
    )


def _tell_resolved(objection: Objection, subject: Subject) -> None:
    """The objector follows it by reference and code (the public page); the organization is
    told the outcome."""
    _review_link, org_link, about = _links(subject)
    name, number = _subject_name(subject), objection.case_number or f"#{objection.pk}"
    outcome = OUTCOME_LABELS.get(objection.state, objection.get_state_display())
    notify(
        organization_users(subject.organization_id),
        event="objection.resolved",
        title=f"公示期异议 {number} 已处理：{outcome}",
        body=f"{name}的{_subject_ref(subject)}所收到的异议（办件编号 {number}）已处理，"
        f"结论：{outcome}。处理意见：{objection.resolution}",
        link=org_link,
        subject=about,
    )


def _uphold_on_filing(case: FilingCase, reason: str, actor: Actor) -> None:
    transition = FILING_MACHINE.check(case, "uphold-objection", actor)
    case.decision_reason = f"公示期异议成立：{reason}"
    FILING_MACHINE.move(
        case, transition, actor=actor, note=reason, extra_fields=["decision_reason"]
    )


def _uphold_on_batch(batch: Batch, reason: str, actor: Actor) -> None:
    """The results go back for correction: the notice ends today, the publicity is undone."""
    transition = BATCH_MACHINE.check(batch, "uphold-objection", actor)
    Notice.objects.filter(
        kind=NoticeKind.RESULT_PUBLICITY, subject_id=batch.pk, ends_on__gt=clock.today()
    ).update(ends_on=clock.today())
    batch.publicity_start = None
    batch.publicity_end = None
    BATCH_MACHINE.move(
        batch,
        transition,
        actor=actor,
        note=f"异议成立：{reason}",
        extra_fields=["publicity_start", "publicity_end"],
    )
