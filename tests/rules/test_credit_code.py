import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from skillcert.rules.credit_code import (
    CHARSET,
    CreditCode,
    credit_check_char,
    org_code_check_char,
    validate_credit_code,
)
from skillcert.rules.errors import InvalidInput

# Published codes. The first group is from the test data of python-stdnum
# (tests/test_cn_uscc.doctest, "found online"), including Anhui (3406 淮北) enterprises and
# individual businesses (92…); the second are well-known companies' codes, kept only because
# they pass both the overall and the embedded organization-code check.
PUBLISHED = [
    "121200004013590816",
    "91110000600037341L",
    "91110000710926094P",
    "91120224064012553U",
    "9115220107837941X1",
    "91310115MA1K3BTP2B",
    "91340600MA2PBM9HXD",
    "91340603MA2UJXXCXF",
    "91340621MA2PEMUHX8",
    "9144030071526726XG",
    "91620105L015101280",
    "92340602MA2PEL8AXA",
    "92340621MA2UK3PJXE",
    "92340604MA2PENA300",
    "914403001922038216",  # 华为技术有限公司
    "91330100716105852F",  # 阿里巴巴（中国）有限公司
    "91100000100003962T",  # 中国工商银行股份有限公司
    "91340000711771143J",  # 科大讯飞股份有限公司
]


def make_code(first8: str, org_body: str) -> str:
    """A valid code from positions 1-8 and the 8-character organization-code body."""
    first17 = first8 + org_body + org_code_check_char(org_body)
    return first17 + credit_check_char(first17)


@pytest.mark.parametrize("code", PUBLISHED)
def test_published_codes_validate(code):
    parsed = validate_credit_code(code)
    assert parsed.code == code
    assert str(parsed) == code


def test_parts():
    parsed = validate_credit_code(" 91340000711771143j ")
    assert parsed == CreditCode(
        code="91340000711771143J",
        registration_authority="9",
        org_type="1",
        division="340000",
        org_code="711771143",
    )
    assert parsed.province == "34"


@pytest.mark.parametrize(
    ("first17", "check"),
    [
        ("91110000600037341", "L"),
        ("91340000711771143", "J"),
        ("12120000401359081", "6"),
        ("91340600MA2PBM9HX", "D"),
    ],
)
def test_credit_check_char(first17, check):
    assert credit_check_char(first17) == check


@pytest.mark.parametrize(
    ("body", "check"),
    [
        ("71177114", "3"),
        ("60003734", "1"),
        ("MA2PBM9H", "X"),  # 11 - sum % 11 == 10 → X
        ("07837941", "X"),
        ("L0151012", "8"),
        ("MA2PENA3", "0"),  # 11 - sum % 11 == 11 → 0 (from 92340604MA2PENA300)
    ],
)
def test_org_code_check_char(body, check):
    assert org_code_check_char(body) == check


@pytest.mark.parametrize("bad", ["9134000071177114", "9134000071177114I", "9134000071177114 "])
def test_credit_check_char_needs_17_legal_characters(bad):
    with pytest.raises(InvalidInput):
        credit_check_char(bad)


@pytest.mark.parametrize("bad", ["7117711", "711771143", "7117711a"])
def test_org_code_check_char_needs_8_characters(bad):
    with pytest.raises(InvalidInput):
        org_code_check_char(bad)


@pytest.mark.parametrize(
    "code",
    [
        make_code("52340100", "00000001"),
        make_code("A1340100", "12345678"),
        make_code("N2341500", "ABCDEFGH"),
        make_code("Y1340000", "MA2PBMA7"),
    ],
)
def test_constructed_codes_validate(code):
    assert validate_credit_code(code).code == code


def _only_org_check_wrong() -> str:
    body = "71177114"
    wrong = "4" if org_code_check_char(body) != "4" else "5"
    first17 = "91340000" + body + wrong
    return first17 + credit_check_char(first17)


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("9134000071177114", "应为 18 位"),
        ("91340000711771143J1", "应为 18 位"),
        ("", "应为 18 位"),
        ("91340000711771I43J", "第 15 位字符“I”不合法"),
        ("9134000O711771143J", "第 8 位字符“O”不合法"),
        ("91340000711771143S", "第 18 位字符“S”不合法"),
        ("91340000-11771143J", "第 9 位字符“-”不合法"),
        ("B1340000711771143J", "登记管理部门代码"),
        ("0134000071177114" + "3J", "登记管理部门代码"),
        ("9034000071177114" + "3J", "机构类别代码"),
        ("9A34000071177114" + "3J", "机构类别代码"),
        ("91340A00711771143J", "行政区划码"),
        ("91340000711771143K", "校验位错误：按前 17 位计算应为 J"),
        ("91340000711771134J", "校验位错误"),  # two digits swapped
        (_only_org_check_wrong(), "组织机构代码"),
    ],
)
def test_invalid_codes(code, fragment):
    with pytest.raises(InvalidInput) as excinfo:
        validate_credit_code(code, field="uscc")
    assert fragment in excinfo.value.message
    assert excinfo.value.fields == {"uscc": [excinfo.value.message]}


def test_messages_differ_for_overall_and_organization_code_checks():
    with pytest.raises(InvalidInput) as overall:
        validate_credit_code("91340000711771143K")
    with pytest.raises(InvalidInput) as embedded:
        validate_credit_code(_only_org_check_wrong())
    assert overall.value.message != embedded.value.message
    assert "第 17 位应为 3" in embedded.value.message


# --- properties ----------------------------------------------------------------------------

valid_codes = st.builds(
    lambda authority, kind, division, body: make_code(authority + kind + division, body),
    st.sampled_from("123456789ANY"),
    st.sampled_from("123456789"),
    st.integers(110000, 829999).map(str),
    # Inside a credit code the organization code can only use the code set's characters.
    st.text(alphabet=CHARSET, min_size=8, max_size=8),
)


@settings(max_examples=200)
@given(valid_codes)
def test_generated_codes_validate(code):
    parsed = validate_credit_code(code)
    assert parsed.code == code
    assert parsed.org_code == code[8:17]


@settings(max_examples=200)
@given(valid_codes, st.integers(0, 17), st.sampled_from(CHARSET))
def test_single_substitution_is_detected(code, position, replacement):
    assume(code[position] != replacement)
    changed = code[:position] + replacement + code[position + 1 :]
    with pytest.raises(InvalidInput):
        validate_credit_code(changed)


@settings(max_examples=50)
@given(st.sampled_from(PUBLISHED), st.integers(0, 17), st.sampled_from(CHARSET))
def test_single_substitution_of_published_codes_is_detected(code, position, replacement):
    assume(code[position] != replacement)
    with pytest.raises(InvalidInput):
        validate_credit_code(code[:position] + replacement + code[position + 1 :])
