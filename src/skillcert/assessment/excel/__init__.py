"""Excel (.xlsx) parts of assessment batches: the candidate roster and the score sheet.

- ``candidates_template`` / ``import_candidates``: the roster of ``POST /api/v1/batches/{id}/
  candidates.xlsx``. The first sheet's header row names the columns (any order); every row is
  checked by ``RowCheck``, the same check as the JSON candidates, and one bad row refuses the
  whole file (400 with every bad row, and an error report to download).
- ``results_template`` / ``import_results``: scores per subject, entered through the results
  service; its field errors are mapped back to sheet rows and columns.
- ``candidate_error_report`` / ``save_report`` / ``report_name``: a copy of the upload with
  each bad cell marked, stored as ``reports/batch-<id>/<token>.xlsx`` behind an unguessable token.
  ``error_report_url`` makes it for a refused upload: rendered in the request up to
  ``REPORT_JOB_ROWS`` rows, above that by a background job (``render_report_job``) from an
  input stored as tagged JSON next to it; the URL is the same either way, and
  ``report_status`` / ``report_refusal`` tell a download that the report is still being made
  (409 ``report_pending``) or that its job failed (404 ``report_failed``: upload again).

Files are read with python-calamine, which reads the values a spreadsheet program cached:
formulas are never evaluated and a formula's text is never read. Files are written with
XlsxWriter, every text through ``documents.xlsx.write_text``, so nothing written becomes a
formula or markup.

The package re-exports what callers use, so ``from skillcert.assessment import excel`` keeps
working. Its modules: ``reading`` (opening an upload, the header check, the shared sheet and
column names), ``candidates`` and ``results`` (the two imports), ``templates`` (the empty
workbooks), ``reports`` (error reports, their storage and the job for large ones),
``writing`` (what written workbooks share). Patch a setting such as ``MAX_UNPACKED_BYTES``
or ``REPORT_JOB_ROWS`` on the module that reads it (``reading``, ``reports``).
"""

from skillcert.assessment.excel.candidates import check_candidate_rows, import_candidates
from skillcert.assessment.excel.reading import (
    CANDIDATE_SHEET,
    ERROR_COLUMN,
    GUIDE_SHEET,
    ID_COLUMN,
    MAX_UNPACKED_BYTES,
    NAME_COLUMN,
    NUMERIC_ID_MESSAGE,
    RESULTS_SHEET,
    SUMMARY_SHEET,
    XLSX_CONTENT_TYPE,
    SheetData,
    read_candidate_sheet,
    read_sheet,
)
from skillcert.assessment.excel.reports import (
    REPORT_FAILED,
    REPORT_MAX_AGE,
    REPORT_PENDING,
    ReportStatus,
    candidate_error_report,
    error_report_url,
    render_report_job,
    report_name,
    report_refusal,
    report_status,
    report_url,
    save_report,
)
from skillcert.assessment.excel.results import import_results
from skillcert.assessment.excel.templates import candidates_template, results_template

__all__ = [
    "CANDIDATE_SHEET",
    "ERROR_COLUMN",
    "GUIDE_SHEET",
    "ID_COLUMN",
    "MAX_UNPACKED_BYTES",
    "NAME_COLUMN",
    "NUMERIC_ID_MESSAGE",
    "REPORT_FAILED",
    "REPORT_MAX_AGE",
    "REPORT_PENDING",
    "RESULTS_SHEET",
    "SUMMARY_SHEET",
    "XLSX_CONTENT_TYPE",
    "ReportStatus",
    "SheetData",
    "candidate_error_report",
    "candidates_template",
    "check_candidate_rows",
    "error_report_url",
    "import_candidates",
    "import_results",
    "read_candidate_sheet",
    "read_sheet",
    "render_report_job",
    "report_name",
    "report_refusal",
    "report_status",
    "report_url",
    "results_template",
    "save_report",
]
