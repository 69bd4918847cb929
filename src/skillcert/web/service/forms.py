"""Forms of the service guides, the ratings and the site footer (plain text only)."""

from __future__ import annotations

from typing import Any

from django import forms

from skillcert.reference.models import GUIDE_SECTIONS, ServiceGuide, SiteSettings
from skillcert.supervision.ratings import COMMENT_MAX, SCORE_LABELS, SCORES


def _text(model: Any, name: str, *, required: bool = True, rows: int = 0) -> forms.CharField:
    field = model._meta.get_field(name)
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(
        label=field.verbose_name,
        max_length=field.max_length,
        required=required,
        widget=widget,
        strip=True,
    )


class GuideForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title"] = _text(ServiceGuide, "title")
        self.fields["summary"] = _text(ServiceGuide, "summary", required=False)
        for name, _heading in GUIDE_SECTIONS:
            self.fields[name] = _text(ServiceGuide, name, rows=6)


class SiteSettingsForm(forms.Form):
    sponsor = _text(SiteSettings, "sponsor", required=False)
    organizer = _text(SiteSettings, "organizer", required=False)
    phone = _text(SiteSettings, "phone", required=False)
    address = _text(SiteSettings, "address", required=False)
    icp_record = _text(SiteSettings, "icp_record", required=False)
    police_record = _text(SiteSettings, "police_record", required=False)
    site_code = _text(SiteSettings, "site_code", required=False)


class RatingForm(forms.Form):
    object = forms.CharField(widget=forms.HiddenInput, max_length=48)
    score = forms.TypedChoiceField(
        label="评分",
        coerce=int,
        choices=[(score, f"{score} 分 {SCORE_LABELS[score]}") for score in reversed(SCORES)],
        widget=forms.RadioSelect,
        error_messages={"required": "请选择评分"},
    )
    comment = forms.CharField(
        label="评价内容（选填）",
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX}),
    )
