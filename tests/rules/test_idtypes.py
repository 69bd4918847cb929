import datetime as dt

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from skillcert.rules.errors import InvalidInput
from skillcert.rules.idtypes import (
    ID_TYPES,
    IdType,
    id_check_char,
    mask_id_number,
    parse_id_type,
    validate_id_number,
)
from skillcert.rules.regions import PROVINCE_CODES

TODAY = dt.date(2026, 11, 26)


def make_id(first17: str) -> str:
    return first17 + id_check_char(first17)


def with_wrong_check(first17: str) -> str:
    right = id_check_char(first17)
    return first17 + ("0" if right != "0" else "1")


# --- types ---------------------------------------------------------------------------------


def test_the_twelve_types_of_annex5():
    assert {code: t.name for code, t in ID_TYPES.items()} == {
        "201": "居民身份证",
        "227": "中国护照",
        "210": "港澳居民来往内地通行证",
        "237": "港澳居民居住证",
        "213": "台湾居民来往大陆通行证",
        "238": "台湾居民居住证",
        "208": "外国护照",
        "233": "外国人永久居留身份证",
        "239": "外国人工作许可证（A类）",
        "240": "外国人工作许可证（B类）",
        "241": "外国人工作许可证（C类）",
        "299": "其他个人证件",
    }


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("201", "201"),
        (" 238 ", "238"),
        ("居民身份证", "201"),
        ("外国人工作许可证（B类）", "240"),
        ("外国人工作许可证(B类)", "240"),
        ("外国人工作许可证(C类）", "241"),
        ("其他个人证件", "299"),
    ],
)
def test_parse_id_type(value, code):
    assert parse_id_type(value).code == code


@pytest.mark.parametrize("value", ["202", "", "身份证", "护照", "外国人工作许可证"])
def test_parse_unknown_id_type(value):
    with pytest.raises(InvalidInput, match="未知的证件类型") as excinfo:
        parse_id_type(value)
    assert "id_type" in excinfo.value.fields


# --- check character -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("11010519491231002", "X"),  # the example of GB 11643-1999
        ("44052418800101001", "4"),  # the other example of GB 11643-1999
        ("34010419900307123", make_id("34010419900307123")[-1]),
    ],
)
def test_id_check_char(first17, check):
    assert id_check_char(first17) == check


@pytest.mark.parametrize("bad", ["1101051949123100", "1101051949123100X", "110105194912310021"])
def test_id_check_char_needs_17_digits(bad):
    with pytest.raises(InvalidInput):
        id_check_char(bad)


# --- valid numbers -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "number", "normalized"),
    [
        ("201", "11010519491231002X", "11010519491231002X"),
        ("201", "11010519491231002x", "11010519491231002X"),
        ("201", " 110105 19491231 002X ", "11010519491231002X"),
        ("201", "１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),
        ("201", make_id("34010420000229123"), None),  # a leap day
        ("201", make_id("34010419000101123"), None),
        ("201", make_id("34010420261126123"), None),  # born today
        ("237", make_id("81000019900101123"), None),
        ("237", make_id("82000019900101123"), None),
        ("238", make_id("83000019900101123"), None),
        ("210", "H12345678", None),
        ("210", "m1234567890", "M1234567890"),
        ("213", "12345678", None),
        ("233", "USA123456789012", None),
        ("233", make_id("91100019900101123"), None),  # 2023 form
        ("233", make_id("93100099999999123"), None),  # 2023 form: the birth date is not checked
        ("227", "E12345678", None),
        ("227", "EA1234567", None),
        ("208", "x1234", "X1234"),
        ("208", "N12345678901234567AB", None),
        ("239", "ABC-123-456", None),
        ("240", "9", None),
        ("241", "a" * 29 + "1", "A" * 29 + "1"),
        ("299", "军字第123号", None),
        ("299", "X" * 30, None),
    ],
)
def test_valid_numbers(code, number, normalized):
    assert validate_id_number(code, number, today=TODAY) == (normalized or number)


def test_validate_accepts_an_id_type_object():
    assert validate_id_number(ID_TYPES["201"], "11010519491231002X", today=TODAY)
    assert validate_id_number(IdType("201", "居民身份证"), "11010519491231002X", today=TODAY)


def test_today_defaults_to_the_clock(monkeypatch):
    number = make_id("34010420261126123")
    monkeypatch.setenv("SKILLCERT_TODAY", "2026-11-26")
    assert validate_id_number("201", number) == number
    monkeypatch.setenv("SKILLCERT_TODAY", "2026-11-25")
    with pytest.raises(InvalidInput, match="晚于今天"):
        validate_id_number("201", number)


# --- invalid numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "number", "fragment"),
    [
        ("201", "110105194912310021", "校验位错误：应为 X"),
        # The standard's own example is born in 1880: its check character is right, but this
        # platform refuses birth years before 1900.
        ("201", "440524188001010014", "“18800101”早于 1900 年"),
        ("201", with_wrong_check("44052419800101001"), "校验位错误：应为 3"),
        ("201", "11010519491231002", "应为 18 位"),
        ("201", "11010519491231002X1", "应为 18 位"),
        ("201", "1101051949123100X2", "格式错误"),
        ("201", "11010519491231002Y", "格式错误"),
        ("201", make_id("34010419990230123"), "“19990230”不是有效日期"),
        ("201", make_id("34010419991301123"), "“19991301”不是有效日期"),
        ("201", make_id("34010420230229123"), "“20230229”不是有效日期"),
        ("201", make_id("34010418991231123"), "早于 1900 年"),
        ("201", make_id("34010420261127123"), "晚于今天"),
        ("201", make_id("34010430000101123"), "晚于今天"),
        ("201", make_id("81000019900101123"), "237"),
        ("201", make_id("82000019900101123"), "237"),
        ("201", make_id("83000019900101123"), "238"),
        ("201", make_id("71000019900101123"), "台湾地区不签发居民身份证"),
        ("201", make_id("99010419900101123"), "不是有效的省级行政区划代码"),
        ("201", make_id("00010419900101123"), "不是有效的省级行政区划代码"),
        ("237", make_id("83000019900101123"), "应以 810000 或 820000 开头"),
        ("237", make_id("81010019900101123"), "应以 810000 或 820000 开头"),
        ("237", make_id("34010419900101123"), "应以 810000 或 820000 开头"),
        ("238", make_id("81000019900101123"), "应以 830000 开头"),
        ("238", make_id("83000019990230123"), "不是有效日期"),
        ("238", with_wrong_check("83000019900101123"), "校验位错误"),
        ("210", "H1234567", "H 或 M"),
        ("210", "H123456789", "H 或 M"),
        ("210", "X12345678", "H 或 M"),
        ("210", "12345678", "H 或 M"),
        ("213", "1234567", "8 位数字"),
        ("213", "123456789", "8 位数字"),
        ("213", "A1234567", "8 位数字"),
        ("233", "US1234567890123", "2017 版"),
        ("233", "USA12345678901", "2017 版"),
        ("233", make_id("81100019900101123"), "2023 版"),
        ("233", make_id("91100019900101123")[:17] + "Y", "格式错误"),
        ("233", with_wrong_check("91100019900101123"), "校验位错误"),
        ("227", "ABCDEFG", "至少含 1 位数字"),
        ("227", "E123", "5-20 位"),
        ("227", "E" + "1" * 20, "5-20 位"),
        ("208", "E1234-567", "5-20 位"),
        ("208", "护照12345", "5-20 位"),
        ("239", "ABC_123", "字母、数字或“-”"),
        ("240", "A" * 31, "1-30 位"),
        ("299", "X" * 31, "1-30 位"),
        ("299", "ab\x07cd", "可打印字符"),
        ("201", "   ", "不能为空"),
        ("299", "", "不能为空"),
    ],
)
def test_invalid_numbers(code, number, fragment):
    with pytest.raises(InvalidInput) as excinfo:
        validate_id_number(code, number, today=TODAY, field="cert_id")
    assert fragment in excinfo.value.message
    assert excinfo.value.fields == {"cert_id": [excinfo.value.message]}


def test_unknown_type_is_reported_on_the_type_field():
    with pytest.raises(InvalidInput) as excinfo:
        validate_id_number("202", "11010519491231002X", today=TODAY)
    assert "id_type" in excinfo.value.fields


# --- masking -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("340104199001011234", "340***********1234"),
        ("11010519491231002x", "110***********002X"),
        ("USA123456789012", "USA**********12"),
        ("340104900101123", "340**********23"),
        ("H12345678", "H1*****78"),
        ("12345678", "12****78"),
        ("E1234", "E***4"),
        ("ABCD", "A**D"),
        ("ABC", "***"),
        ("", ""),
    ],
)
def test_mask_id_number(number, masked):
    assert mask_id_number(number) == masked


@settings(max_examples=100)
@given(st.text(alphabet="0123456789ABCX", min_size=0, max_size=30))
def test_mask_hides_at_least_half(number):
    masked = mask_id_number(number)
    assert len(masked) == len(number)
    assert masked.count("*") * 2 >= len(number)


def test_mask_never_shows_the_birth_date():
    masked = mask_id_number("340104199001011234")
    assert "19900101" not in masked
    assert masked[6:14] == "*" * 8


# --- properties ----------------------------------------------------------------------------

birth_dates = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)
mainland_provinces = st.sampled_from(sorted(PROVINCE_CODES - {"71", "81", "82"}))


@settings(max_examples=200)
@given(
    mainland_provinces,
    st.integers(0, 9999).map(lambda n: f"{n:04d}"),
    birth_dates,
    st.integers(0, 999).map(lambda n: f"{n:03d}"),
)
def test_generated_resident_ids_validate(province, county, born, sequence):
    number = make_id(province + county + born.strftime("%Y%m%d") + sequence)
    assert validate_id_number("201", number, today=TODAY) == number


@settings(max_examples=150)
@given(
    st.sampled_from([("201", "34"), ("237", "810000"), ("237", "820000"), ("238", "830000")]),
    birth_dates,
    st.integers(0, 999).map(lambda n: f"{n:03d}"),
    st.data(),
)
def test_single_substitution_is_detected(kind, born, sequence, data):
    code, prefix = kind
    head = (prefix + "0104")[:6]
    number = make_id(head + born.strftime("%Y%m%d") + sequence)
    assert validate_id_number(code, number, today=TODAY) == number
    position = data.draw(st.integers(0, 17))
    replacement = data.draw(st.sampled_from("0123456789X"))
    assume(replacement != number[position])
    changed = number[:position] + replacement + number[position + 1 :]
    with pytest.raises(InvalidInput):
        validate_id_number(code, changed, today=TODAY)


def test_an_id_type_object_outside_the_table_is_refused():
    with pytest.raises(InvalidInput) as excinfo:
        validate_id_number(IdType("999", "未知证件"), "12345678", today=TODAY)
    assert "id_type" in excinfo.value.fields
