"""The national query system (全国联网查询): 附件5 exports of issued certificates and an outbox.

An export (``NationalExport``) is one 附件5 file for a **batch** (key ``batch:42``) or for a
**period** of issue dates (key ``period:2026-11-01:2026-11-30``). It holds the *valid*
certificates in its scope that no earlier export holds: ``NationalExportItem`` is one-to-one on
the certificate, so the database itself refuses to report a certificate twice. A batch
exported and then a period covering it gives a period file without that batch's certificates.
Asking again for the same key returns the entry made the first time (idempotent, one file).

Revoked and superseded certificates are not exported; a corrected certificate's replacement
is a new valid certificate and goes out with a later export (the batch key already exists
once the batch was reported, so by period). A certificate revoked or corrected **after** it was
reported goes out in a **changes** export (``证书状态变更``: number, holder, 撤销 with date and
reason, or 更正 with the new number): ``NationalChangeItem`` is one-to-one on the certificate
(both states are final), so each change is reported once. Its key is a digest of the
certificates it holds, so two officers asking at the same moment get one file.

Files are stored as ``national/<file_name>`` in the file storage (``documents.files``: the
file system or S3; officers download them through the API). Sending goes through a pluggable
sender, named by ``settings.SKILLCERT_NATIONAL_SENDER`` or the environment variable of the
same name (a dotted path to a class or object with ``send(path, export) -> receipt``, given a
local copy of the file); the default ``FolderSender`` copies the file into the outbox
(``national/outbox/`` of the storage, or the folder ``SKILLCERT_NATIONAL_OUTBOX``) from which a
transfer job picks it up. An export that was
sent is never sent again; a failed one is marked ``failed`` with the error and may be retried.

Who: the province department and center for any batch or period (and ``skillcert national``
on the command line); a city center for the batches held in its city. Organizations do not
report to the national system.

The package re-exports what callers use, so ``from skillcert.certificates import national``
keeps working (and ``skillcert.certificates.national.FolderSender`` still names the default
sender). Its modules, each importing only the ones before it: ``outbox`` (files and
senders), ``access`` (who may report what; parsing a request), ``exports`` (making
exports), ``sending`` (delivering them). Patch a name on the module that looks it up.
"""

from skillcert.audit import service as audit
from skillcert.certificates.national.access import (
    PROVINCE_REPORTERS,
    ExportRequest,
    check_may_report,
    exports_for,
    get_export_for_user,
    parse_batch_id,
    parse_export_request,
    parse_period,
)
from skillcert.certificates.national.exports import (
    NOTHING_TO_REPORT,
    Prepared,
    changes_pending,
    prepare,
    prepare_export,
)
from skillcert.certificates.national.outbox import (
    DEFAULT_SENDER,
    EXPORTS,
    FILE_MODE,
    OUTBOX,
    OUTBOX_SETTING,
    SENDER_SETTING,
    FolderSender,
    Sender,
    export_name,
    load_sender,
    outbox_dir,
    sender_path,
)
from skillcert.certificates.national.sending import Delivery, SendFailed, deliver, send, unsent
from skillcert.rules.errors import Conflict, DomainError  # callers catch these as national.*

__all__ = [
    "DEFAULT_SENDER",
    "EXPORTS",
    "FILE_MODE",
    "NOTHING_TO_REPORT",
    "OUTBOX",
    "OUTBOX_SETTING",
    "PROVINCE_REPORTERS",
    "SENDER_SETTING",
    "Conflict",
    "Delivery",
    "DomainError",
    "ExportRequest",
    "FolderSender",
    "Prepared",
    "SendFailed",
    "Sender",
    "audit",
    "changes_pending",
    "check_may_report",
    "deliver",
    "export_name",
    "exports_for",
    "get_export_for_user",
    "load_sender",
    "outbox_dir",
    "parse_batch_id",
    "parse_export_request",
    "parse_period",
    "prepare",
    "prepare_export",
    "send",
    "sender_path",
    "unsent",
]
