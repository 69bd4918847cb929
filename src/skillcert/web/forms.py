"""Shared form helpers: putting the services' errors next to the fields.

The forms only carry what a person typed: formats and completeness are checked by the
services, whose errors come back keyed by paths such as ``basic.contact_email`` or
``occupations[0].code`` and are put next to the matching field.
"""

from __future__ import annotations

from typing import Any

from django import forms

from skillcert.rules.errors import DomainError


def add_domain_error(
    form: forms.BaseForm, error: DomainError, paths: dict[str, str] | None = None
) -> None:
    """Attach each of the error's field messages to the form field its path names.

    ``paths`` maps a service path (``basic.address``) to a form field (``address``); a path
    naming no field of this form becomes a message at the top of the form.
    """
    paths = paths or {}
    for path, messages in error.fields.items():
        name = paths.get(path, path)
        form.add_error(name if name in form.fields else None, list(messages))
    if not error.fields:
        form.add_error(None, error.message)


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The form's field ``name``, declared as a ``ChoiceField`` (or a subclass): typed so that
    its ``choices`` can be set when the form is built (``form.fields`` holds plain ``Field``)."""
    field = form.fields[name]
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{type(form).__name__}.{name} is not a ChoiceField")
    return field


def as_text(value: Any) -> str:
    return str(value).strip() if value is not None else ""
