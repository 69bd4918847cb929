import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from skillcert.rules.codes import (
    CERTIFICATE_SERIAL_MAX,
    FILING_SERIAL_MAX,
    CertificateNumber,
    FilingNumber,
    compose_certificate_number,
    compose_filing_number,
    next_serial,
    parse_certificate_number,
    parse_filing_number,
)
from skillcert.rules.errors import Exhausted, InvalidInput
from skillcert.rules.levels import Level
from skillcert.rules.regions import ANHUI, PROVINCE_CODES

# --- filing numbers ------------------------------------------------------------------------


def test_annex3_filing_example():
    assert compose_filing_number("S", "01", 1) == "S000034010001"
    parsed = parse_filing_number("S000034010001")
    assert parsed == FilingNumber("S", "0000", "34", "01", 1)
    assert parsed.is_provincial
    assert str(parsed) == "S000034010001"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Y000034009999", FilingNumber("Y", "0000", "34", "00", 9999)),  # province channel
        ("  s000034300012 ", FilingNumber("S", "0000", "34", "30", 12)),
        ("S123434010001", FilingNumber("S", "1234", "34", "01", 1)),  # filed with the ministry
        ("Y000132990001", FilingNumber("Y", "0001", "32", "99", 1)),  # other province: format only
        ("S000071010001", FilingNumber("S", "0000", "71", "01", 1)),
    ],
)
def test_parse_filing_number_accepts(text, expected):
    parsed = parse_filing_number(text)
    assert parsed == expected
    assert str(parsed) == text.strip().upper()


def test_ministry_number_is_not_provincial():
    assert not parse_filing_number("S123434010001").is_provincial


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("S00003401000", "应为 13 位"),
        ("S0000340100011", "应为 13 位"),
        ("", "应为 13 位"),
        ("X000034010001", "第 1 位"),
        ("1000034010001", "第 1 位"),
        ("S00A034010001", "第 2-5 位"),
        ("S000099010001", "不是省级行政区划代码"),
        ("S000083010001", "不是省级行政区划代码"),
        ("S000034090001", "未知的地市代码“09”"),  # 09 is not an Anhui city
        ("S000034140001", "未知的地市代码“14”"),
        ("S0000340A0001", "2 位数字"),
        ("S000034010000", "0001-9999"),
        ("S00003401000A", "0001-9999"),
        ("S00003401０００1", "0001-9999"),  # full-width digits are not digits here
    ],
)
def test_parse_filing_number_refuses(text, fragment):
    with pytest.raises(InvalidInput) as excinfo:
        parse_filing_number(text, field="filing")
    assert fragment in excinfo.value.message
    assert excinfo.value.fields == {"filing": [excinfo.value.message]}


def test_unknown_city_is_accepted_without_a_region_table():
    assert parse_filing_number("S000034090001", regions=None).city == "09"


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        (("Y", "00", 9999), {}, "Y000034009999"),
        (("s", "24", 42), {}, "S000034240042"),
        (("S", "01", 7), {"ministry": "0012"}, "S001234010007"),
        (("S", "09", 1), {"province": "32"}, "S000032090001"),
        (("S", "09", 1), {"regions": None}, "S000034090001"),
    ],
)
def test_compose_filing_number(args, kwargs, expected):
    assert compose_filing_number(*args, **kwargs) == expected


@pytest.mark.parametrize(
    ("args", "kwargs", "fragment"),
    [
        (("X", "01", 1), {}, "机构类别"),
        (("S", "09", 1), {}, "未知的地市代码“09”"),
        (("S", "1", 1), {}, "2 位数字"),
        (("S", "01", 0), {}, "从 1 开始"),
        (("S", "01", -5), {}, "从 1 开始"),
        (("S", "01", 1), {"province": "83"}, "省级行政区划代码"),
        (("S", "01", 1), {"ministry": "12"}, "4 位数字"),
    ],
)
def test_compose_filing_number_refuses(args, kwargs, fragment):
    with pytest.raises(InvalidInput, match=fragment):
        compose_filing_number(*args, **kwargs)


def test_filing_serial_overflow():
    assert compose_filing_number("S", "01", FILING_SERIAL_MAX) == "S000034019999"
    with pytest.raises(Exhausted, match="备案号流水号已用尽（最大 9999）"):
        compose_filing_number("S", "01", FILING_SERIAL_MAX + 1)


# --- serial allocation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("highest", "maximum", "expected"),
    [(0, FILING_SERIAL_MAX, 1), (41, FILING_SERIAL_MAX, 42), (9998, FILING_SERIAL_MAX, 9999)],
)
def test_next_serial(highest, maximum, expected):
    assert next_serial(highest, maximum=maximum) == expected


@pytest.mark.parametrize(
    ("highest", "maximum", "message"),
    [
        (9999, FILING_SERIAL_MAX, "备案号流水号已用尽（最大 9999）"),
        (999999, CERTIFICATE_SERIAL_MAX, "证书编号流水号已用尽（最大 999999）"),
        (5, 5, "流水号已用尽（最大 5）"),
    ],
)
def test_next_serial_exhausted(highest, maximum, message):
    with pytest.raises(Exhausted) as excinfo:
        next_serial(highest, maximum=maximum)
    assert excinfo.value.message == message
    assert excinfo.value.code == "sequence_exhausted"


def test_next_serial_refuses_negative():
    with pytest.raises(InvalidInput):
        next_serial(-1, maximum=FILING_SERIAL_MAX)


# --- certificate numbers -------------------------------------------------------------------


def test_annex3_certificate_example():
    assert compose_certificate_number("S000034010001", 2026, 3, 1) == "S000034010001263000001"
    parsed = parse_certificate_number("S000034010001263000001")
    assert parsed == CertificateNumber(FilingNumber("S", "0000", "34", "01", 1), 26, Level.THREE, 1)
    assert parsed.year_full() == 2026
    assert parsed.year_full(century=1900) == 1926
    assert str(parsed) == "S000034010001263000001"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("S000034010001", 26, 3, 1), "S000034010001263000001"),
        (("Y000034240123", 2000, 1, 999999), "Y000034240123001999999"),
        (("Y000034240123", 2099, "五级/初级工", 10), "Y000034240123995000010"),
        ((FilingNumber("S", "0007", "34", "00", 3), 7, Level.TWO, 12), "S000734000003072000012"),
    ],
)
def test_compose_certificate_number(args, expected):
    assert compose_certificate_number(*args) == expected


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("S000034090001", 2026, 3, 1), "未知的地市代码"),
        (("S000034010001", 1999, 3, 1), "2000-2099"),
        (("S000034010001", 2100, 3, 1), "2000-2099"),
        (("S000034010001", -1, 3, 1), "2000-2099"),
        (("S000034010001", 2026, 6, 1), "等级应为 1-5"),
        (("S000034010001", 2026, 3, 0), "从 1 开始"),
    ],
)
def test_compose_certificate_number_refuses(args, fragment):
    with pytest.raises(InvalidInput, match=fragment):
        compose_certificate_number(*args)


def test_certificate_serial_overflow():
    last = compose_certificate_number("S000034010001", 2026, 3, CERTIFICATE_SERIAL_MAX)
    assert last == "S000034010001263999999"
    with pytest.raises(Exhausted, match="证书编号流水号已用尽（最大 999999）"):
        compose_certificate_number("S000034010001", 2026, 3, CERTIFICATE_SERIAL_MAX + 1)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("S00003401000126300000", "应为 22 位"),
        ("S0000340100012630000011", "应为 22 位"),
        ("S000034090001263000001", "未知的地市代码"),
        ("S0000340100012A3000001", "发证年份"),
        ("S000034010001260000001", "等级代码"),
        ("S000034010001266000001", "等级代码"),
        ("S000034010001263000000", "000001-999999"),
        ("S00003401000126300000X", "000001-999999"),
        ("Q000034010001263000001", "第 1 位"),
    ],
)
def test_parse_certificate_number_refuses(text, fragment):
    with pytest.raises(InvalidInput) as excinfo:
        parse_certificate_number(text)
    assert fragment in excinfo.value.message
    assert "number" in excinfo.value.fields


# --- round trips ---------------------------------------------------------------------------

ministries = st.one_of(st.just("0000"), st.integers(1, 9999).map(lambda n: f"{n:04d}"))
anhui_filings = st.builds(
    lambda category, city, serial, ministry: (category, city, serial, ministry),
    st.sampled_from("YS"),
    st.sampled_from(ANHUI.filing_city_codes()),
    st.integers(1, FILING_SERIAL_MAX),
    ministries,
)


@settings(max_examples=200)
@given(anhui_filings)
def test_filing_number_round_trip(parts):
    category, city, serial, ministry = parts
    text = compose_filing_number(category, city, serial, ministry=ministry)
    parsed = parse_filing_number(text)
    assert str(parsed) == text
    assert parsed == FilingNumber(category, ministry, "34", city, serial)
    assert parsed.is_provincial == (ministry == "0000")


@settings(max_examples=100)
@given(
    st.sampled_from("YS"),
    st.sampled_from(sorted(PROVINCE_CODES - {"34"})),
    st.integers(0, 99).map(lambda n: f"{n:02d}"),
    st.integers(1, FILING_SERIAL_MAX),
)
def test_other_province_filing_round_trip(category, province, city, serial):
    text = compose_filing_number(category, city, serial, province=province)
    assert str(parse_filing_number(text)) == text


@settings(max_examples=200)
@given(
    anhui_filings,
    st.one_of(st.integers(0, 99), st.integers(2000, 2099)),
    st.sampled_from(list(Level)),
    st.integers(1, CERTIFICATE_SERIAL_MAX),
)
def test_certificate_number_round_trip(filing_parts, year, level, serial):
    category, city, filing_serial, ministry = filing_parts
    filing = compose_filing_number(category, city, filing_serial, ministry=ministry)
    text = compose_certificate_number(filing, year, int(level), serial)
    assert len(text) == 22
    parsed = parse_certificate_number(text)
    assert str(parsed) == text
    assert str(parsed.filing) == filing
    assert parsed.year == year % 100
    assert parsed.level is level
    assert parsed.serial == serial
