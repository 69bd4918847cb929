"""The filing receipt (备案回执) PDF of a filed case."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from html.parser import HTMLParser

import pytest
from reportlab.lib.styles import ParagraphStyle

from skillcert.accounts.models import Authority
from skillcert.documents.fonts import cjk_font
from skillcert.registry.models import FilingCase, FilingOccupation, Organization
from skillcert.registry.receipt import (
    PAGE_WIDTH,
    _levels_markup,
    chinese_date,
    levels_text,
    render_receipt,
)
from skillcert.rules.errors import Conflict

FILING_NUMBER = "S000034010001"
ORG_NAME = "合肥市回执测试职业技能培训学校"
FILED_ON = dt.date(2026, 9, 18)
CI = os.environ.get("CI", "").strip().lower() not in {"", "0", "false", "no"}


def _poppler(tool: str) -> str:
    """The path of a poppler-utils tool; skipped outside CI when absent, failed in CI."""
    path = shutil.which(tool)
    if path is None:
        reason = f"{tool} (Debian package poppler-utils) is not installed"
        if CI:
            pytest.fail(f"{reason}; CI is set, so the PDF text checks must run")
        pytest.skip(f"{reason}: PDF text checks skipped (CI is unset)")
    return path


def pdf_text(pdf: bytes, tmp_path) -> str:
    source = tmp_path / "receipt.pdf"
    source.write_bytes(pdf)
    result = subprocess.run(
        [_poppler("pdftotext"), "-layout", str(source), "-"],
        check=True,
        capture_output=True,
    )
    return result.stdout.decode("utf-8")


def _make_case(
    *,
    kind: str = "initial",
    state: str = "filed",
    occupations: int = 3,
    name: str = ORG_NAME,
    authority_code: str = "01",
    channel: str = "city",
    industry: str = "",
    occupation_name: str | None = None,
) -> FilingCase:
    authority = Authority.objects.get(code=authority_code)
    organization = Organization.objects.create(
        name=name,
        credit_code="52340104RT0000010T",
        category="S",
        home_city=Authority.objects.get(code="01"),
        status="in_pilot",
        filing_number=FILING_NUMBER,
        filing_authority=authority,
        channel=channel,
        scope="province" if authority.is_province else "city",
        industry=industry,
        filed_on=FILED_ON,
        valid_until=dt.date(2029, 9, 17),
        pilot_until=dt.date(2027, 9, 17),
    )
    case = FilingCase.objects.create(
        organization=organization,
        kind=kind,
        channel=channel,
        authority=authority,
        category="S",
        state=state,
        basic={"name": name, "credit_code": organization.credit_code},
        industry=industry,
        filed_on=FILED_ON if state == "filed" else None,
        filing_number=FILING_NUMBER if state == "filed" else "",
    )
    rows = [
        ("电工", "6-31-01-03", "", [3, 4]),
        ("焊工", "6-18-02-04", "电焊工", [5, 4, 3]),
        ("育婴员", "4-10-01-02", "", [1, 2]),
    ]
    for index in range(occupations):
        base_name, code, work_type, levels = rows[index % len(rows)]
        FilingOccupation.objects.create(
            case=case,
            name=occupation_name or (base_name if index < len(rows) else f"{base_name}{index + 1}"),
            code=code,
            work_type=work_type,
            levels=levels,
            position=index,
        )
    return case


@pytest.mark.django_db
def test_receipt_of_an_initial_case(authorities, tmp_path):
    case = _make_case()
    pdf = render_receipt(case)
    assert pdf.startswith(b"%PDF-")
    assert b"/FontFile2" in pdf  # the Kai font is embedded (a TrueType subset)
    assert b"/BaseFont /Helvetica" not in pdf  # and no font is merely named
    text = pdf_text(pdf, tmp_path)
    assert "职业技能等级认定评价组织备案回执" in text
    assert f"回执编号：{FILING_NUMBER}-{case.pk}" in text
    assert FILING_NUMBER in text
    assert ORG_NAME in text
    assert "52340104RT0000010T" in text
    assert "首次备案" in text
    assert "社会培训评价组织" in text
    assert "市级渠道" in text
    assert "面向本市" in text
    assert "合肥市人力资源和社会保障局" in text
    assert "2026年9月18日" in text
    assert "2029年9月17日" in text
    assert "试点期至" in text
    assert "2027年9月17日" in text
    assert "三级/高级工、四级/中级工" in text
    assert "五级/初级工" in text  # 焊工's third level, on a line of its own in the cell
    assert "电焊工" in text
    assert "——" in text  # work type of 电工
    assert "准予备案" in text
    assert "试点期间应在登记注册地开展认定" in text
    assert "第 1 页 共 1 页" in text


@pytest.mark.django_db
def test_renewal_of_the_province_channel(authorities, tmp_path):
    case = _make_case(
        kind="renewal", authority_code="00", channel="province", industry="交通运输行业"
    )
    text = pdf_text(render_receipt(case), tmp_path)
    assert "延续备案" in text
    assert "省直渠道" in text
    assert "安徽省人力资源和社会保障厅" in text
    assert "面向全省（所属行业系统：交通运输行业）" in text
    flat = re.sub(r"\s+", "", text)  # the statement wraps over two lines
    assert "准予备案。备案有效期三年。" in flat
    assert "试点" not in text  # neither 试点期至 nor the pilot sentence


@pytest.mark.django_db
def test_long_list_breaks_pages_and_repeats_the_header(authorities, tmp_path):
    case = _make_case(occupations=60)
    pdf = render_receipt(case)
    text = pdf_text(pdf, tmp_path)
    pages = text.split("\f")
    pages = [page for page in pages if page.strip()]
    total = len(pages)
    assert total >= 2
    assert f"第 1 页 共 {total} 页" in pages[0]
    assert f"第 {total} 页 共 {total} 页" in pages[-1]
    # Every page the table continues on starts it with the header row again.
    header_pages = [page for page in pages if "职业（工种）名称" in page]
    assert len(header_pages) >= 2
    assert "育婴员60" in text
    assert "准予备案" in pages[-1]


@pytest.mark.django_db
@pytest.mark.parametrize(("rows", "total"), [(30, 2), (60, 3)])
def test_page_count_in_the_footer(authorities, tmp_path, rows, total):
    text = pdf_text(render_receipt(_make_case(occupations=rows)), tmp_path)
    pages = [page for page in text.split("\f") if page.strip()]
    assert len(pages) == total
    for number, page in enumerate(pages, start=1):
        assert f"第 {number} 页 共 {total} 页" in page


@pytest.mark.django_db
def test_levels_break_between_names_only(authorities, tmp_path):
    case = _make_case(occupations=2)
    case.occupations.filter(position=1).update(levels=[1, 2, 3, 4, 5])
    text = pdf_text(render_receipt(case), tmp_path)
    names = ["一级/高级技师", "二级/技师", "三级/高级工", "四级/中级工", "五级/初级工"]
    for name in names:
        assert name in text
    # Each line of the cell holds whole names, each but the last ending with "、".
    lines = _levels_markup([5, 4, 3, 2, 1], ParagraphStyle("t", fontName=cjk_font(), fontSize=9.5))
    lines = lines.split("<br/>")
    assert len(lines) > 1
    assert "".join(lines) == "、".join(names)
    for line in lines:
        assert all(part in names for part in line.rstrip("、").split("、"))


class _Words(HTMLParser):
    """Reads the word boxes of ``pdftotext -bbox``."""

    def __init__(self) -> None:
        super().__init__()
        self.page_width = 0.0
        self.boxes: list[tuple[float, float, str]] = []
        self._box: tuple[float, float] | None = None

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "page":
            self.page_width = float(values["width"])
        elif tag == "word":
            self._box = (float(values["xmin"]), float(values["xmax"]))

    def handle_data(self, data):
        if self._box is not None:
            self.boxes.append((*self._box, data))
            self._box = None


@pytest.mark.django_db
def test_long_names_wrap_inside_the_margins(authorities, tmp_path):
    long_name = "安徽省" + "职业技能等级认定评价与人才培训服务" * 8 + "有限公司"
    long_occupation = "工业机器人系统运维员与智能制造装备调试维修" * 3
    case = _make_case(name=long_name, occupations=4, occupation_name=long_occupation)
    pdf = render_receipt(case)
    source = tmp_path / "long.pdf"
    source.write_bytes(pdf)
    result = subprocess.run(
        [_poppler("pdftotext"), "-bbox", str(source), "-"], check=True, capture_output=True
    )
    words = _Words()
    words.feed(result.stdout.decode("utf-8"))
    assert words.boxes
    assert words.page_width == pytest.approx(PAGE_WIDTH, abs=1)
    margin = 20 * 72 / 25.4  # 20 mm
    for xmin, xmax, word in words.boxes:
        assert xmin >= margin - 1, word
        assert xmax <= words.page_width - margin + 1, word
    # The whole name is there, wrapped over several lines of its cell.
    flat = re.sub(r"\s+", "", pdf_text(pdf, tmp_path))
    assert "职业技能等级认定评价与人才培训服务有限公司" in flat


@pytest.mark.django_db
def test_markup_characters_in_names_are_printed(authorities, tmp_path):
    case = _make_case(name="A&B <培训> 学校")
    assert "A&B <培训> 学校" in pdf_text(render_receipt(case), tmp_path)


@pytest.mark.django_db
def test_same_case_same_bytes(authorities):
    case = _make_case()
    assert render_receipt(case) == render_receipt(case)


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["draft", "in_publicity", "not_selected"])
def test_no_receipt_before_filing(authorities, state):
    case = _make_case(state=state)
    with pytest.raises(Conflict) as caught:
        render_receipt(case)
    assert caught.value.code == "not_filed"
    assert caught.value.message == "该申请尚未备案，暂无备案回执"
    assert caught.value.status == 409


def test_dates_and_levels_as_printed():
    assert chinese_date(dt.date(2026, 9, 18)) == "2026年9月18日"
    assert chinese_date(None) == "——"
    assert levels_text([4, 3]) == "三级/高级工、四级/中级工"
    assert levels_text([]) == "——"
