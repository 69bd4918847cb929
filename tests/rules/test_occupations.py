import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypinyin import Style, lazy_pinyin

from skillcert.rules.errors import InvalidInput
from skillcert.rules.occupations import (
    EDITION_NEW,
    AccessQualification,
    NewOccupation,
    Occupation,
    OccupationIndex,
    build_catalog,
    initials_position,
    load_access_qualifications,
    load_new_occupations,
    load_occupations_2022,
    normalize_name,
    parse_occupation_code,
    pinyin_initials,
)


@pytest.fixture(scope="module")
def occupations():
    return load_occupations_2022()


@pytest.fixture(scope="module")
def new_occupations():
    return load_new_occupations()


@pytest.fixture(scope="module")
def access():
    return load_access_qualifications()


@pytest.fixture(scope="module")
def catalog(occupations, new_occupations, access):
    return build_catalog(occupations, new_occupations, access)


@pytest.fixture(scope="module")
def index(catalog, access):
    return OccupationIndex(catalog, access)


# --- loading -------------------------------------------------------------------------------


def test_load_occupations_2022(occupations):
    assert len(occupations) == 1639
    welder = next(o for o in occupations if o.code == "6-18-02-04")
    assert welder.name == "焊工"
    assert welder.edition == "2022"
    assert (welder.major, welder.middle, welder.minor) == ("6", "6-18", "6-18-02")
    assert welder.minor_name == "机械热加工人员"
    assert any(o.digital for o in occupations)
    assert any(o.green for o in occupations)


def test_load_new_occupations(new_occupations):
    assert len(new_occupations) == 110
    assert {n.batch for n in new_occupations} == set(range(1, 8))
    first = new_occupations[0]
    assert first == NewOccupation(
        batch=1,
        published=dt.date(2019, 4, 1),
        document_no="人社厅发〔2019〕48号",
        name="人工智能工程技术人员",
        code_2022="2-02-38-01",
    )
    robot = next(n for n in new_occupations if n.name == "机器人工程技术人员")
    assert robot.published == dt.date(2022, 6, 14)
    assert robot.published_note.startswith("(公示")
    assert robot.document_no == ""
    assert sum(n.code_2022 is None for n in new_occupations) == 37


def test_load_access_qualifications(access):
    assert len(access) == 23
    assert access[0] == AccessQualification(
        name="民用核安全设备焊工、焊接操作工",
        code_2022=None,
        authority="生态环境部",
        note="only nuclear-safety welders; ordinary 焊工 6-18-02-04 is certifiable",
    )


def test_load_from_a_path(tmp_path):
    path = tmp_path / "occ.csv"
    path.write_text(
        "code,name,major,middle,minor,minor_name,digital_S,green_L\n"
        "6-18-02-04,焊工,6,6-18,6-18-02,机械热加工人员,0,1\n",
        encoding="utf-8",
    )
    (welder,) = load_occupations_2022(path)
    assert welder.green and not welder.digital


def test_load_refuses_a_bad_code(tmp_path):
    path = tmp_path / "occ.csv"
    path.write_text(
        "code,name,major,middle,minor,minor_name,digital_S,green_L\n"
        "6-18-2-04,焊工,6,6-18,6-18-02,机械热加工人员,0,0\n",
        encoding="utf-8",
    )
    with pytest.raises(InvalidInput):
        load_occupations_2022(path)


# --- the catalog ---------------------------------------------------------------------------


def test_catalog_marks_new_occupations(catalog):
    ai = next(o for o in catalog if o.code == "2-02-38-01")
    assert ai.new_occupation
    assert ai.new_batch == 1
    assert ai.new_document_no == "人社厅发〔2019〕48号"
    assert sum(o.new_occupation for o in catalog) == 110


def test_catalog_adds_new_occupations_without_a_2022_code(catalog):
    extra = [o for o in catalog if o.edition == EDITION_NEW]
    assert len(extra) == 37
    anchor = next(o for o in extra if o.name == "网络主播")
    assert anchor.code is None
    assert anchor.new_occupation
    assert anchor.major == anchor.middle == anchor.minor == ""
    assert len(catalog) == 1639 + 37


def test_catalog_marks_access_type(catalog):
    flagged = {o.name for o in catalog if o.access_type}
    assert {"保安员", "安检员", "消防设施操作员", "家畜繁殖员", "消防员"} <= flagged
    assert "焊工" not in flagged


def _occupation(code, name):
    return Occupation("2022", code, name, "6", "6-99", "6-99-01", "test", False, False)


def test_catalog_matches_a_null_code_new_occupation_by_name():
    occupations = [_occupation("6-99-01-01", "咖啡加工工（试）")]
    new = [NewOccupation(7, dt.date(2025, 7, 22), "x", "咖啡加工工(试)", None)]
    catalog = build_catalog(occupations, new, [])
    assert len(catalog) == 1
    assert catalog[0].new_occupation and catalog[0].new_batch == 7


def test_catalog_keeps_the_earliest_batch():
    occupations = [_occupation("6-99-01-01", "甲")]
    new = [
        NewOccupation(5, dt.date(2022, 6, 14), "b", "甲", "6-99-01-01"),
        NewOccupation(2, dt.date(2020, 2, 25), "a", "甲", "6-99-01-01"),
    ]
    (only,) = build_catalog(occupations, new, [])
    assert only.new_batch == 2


def test_catalog_marks_access_by_name_for_name_only_entries():
    new = [NewOccupation(7, dt.date(2025, 7, 22), "x", "特种作业人员", None)]
    access = [AccessQualification("特种作业人员", None, "应急管理部", "")]
    (only,) = build_catalog([], new, access)
    assert only.access_type


# --- the index -----------------------------------------------------------------------------


def test_by_code(index):
    assert index.by_code("6-18-02-04").name == "焊工"
    assert index.by_code(" 6-18-02-04 ").name == "焊工"
    assert index.by_code("6-18-02-04", edition="2015") is None
    assert index.by_code("9-99-99-99") is None


@pytest.mark.parametrize(
    ("name", "found"),
    [
        ("焊工", "6-18-02-04"),
        (" 焊 工 ", "6-18-02-04"),
        ("军官（警官）", "7-01-00-00"),  # stored with ASCII parentheses
        ("军官(警官)", "7-01-00-00"),
    ],
)
def test_by_name(index, name, found):
    assert [o.code for o in index.by_name(name)] == [found]


def test_by_name_finds_new_occupations_without_a_code(index):
    (anchor,) = index.by_name("网络主播")
    assert anchor.edition == EDITION_NEW
    assert index.by_name("焊") == []


def test_search_by_code_prefix(index):
    results = index.search("6-18-02")
    assert [o.code for o in results][:6] == [f"6-18-02-0{i}" for i in range(1, 7)]
    assert all(o.code.startswith("6-18-02") for o in results)


def test_search_ranks_exact_then_prefix_then_substring(index):
    results = index.search("焊工")
    assert results[0].name == "焊工"
    assert {o.name for o in results} == {"焊工", "喷涂喷焊工"}
    names = [o.name for o in index.search("焊")]
    assert names[0] == "焊接工程技术人员"  # starts with 焊, earliest in the catalog
    assert "喷涂喷焊工" in names


# --- any part of a name, pinyin initials ----------------------------------------------------


def occupation(name: str, code: str | None, *, new: bool = False) -> Occupation:
    return Occupation(
        edition="2022" if code else EDITION_NEW,
        code=code,
        name=name,
        major="",
        middle="",
        minor="",
        minor_name="",
        digital=False,
        green=False,
        new_occupation=new,
    )


@pytest.fixture(scope="module")
def care():
    return OccupationIndex(
        [
            occupation("育婴员", "4-10-01-02"),
            occupation("保育师", "4-10-01-03"),
            occupation("养老护理员", "4-10-01-05"),
            occupation("调酒师", "4-03-02-07"),
            occupation("网约配送员", "4-02-07-10", new=True),
        ]
    )


@pytest.mark.parametrize(
    ("text", "first"),
    [
        ("育婴", "育婴员"),
        ("婴员", "育婴员"),  # any part of the name
        ("婴", "育婴员"),
        ("yyy", "育婴员"),
        ("YYY", "育婴员"),
        ("yy", "育婴员"),
        (" y y y ", "育婴员"),
        ("hly", "养老护理员"),  # initials of a part inside the name
        ("ylhly", "养老护理员"),
        ("tjs", "调酒师"),  # 调 read tiáo (调酒) ...
        ("djs", "调酒师"),  # ... or diào: either finds it
        ("wypsy", "网约配送员"),
    ],
)
def test_search_by_any_part_of_the_name_or_its_initials(care, text, first):
    assert care.search(text)[0].name == first


def test_initials_rank_after_names_and_never_match_chinese_queries(care):
    assert [o.name for o in care.search("bys")] == ["保育师"]
    assert care.search("员育") == []  # parts in the wrong order are not a part
    assert care.search("xyz") == []
    assert [o.code for o in care.search("4-10")] == ["4-10-01-02", "4-10-01-03", "4-10-01-05"]


def test_pinyin_initials():
    assert pinyin_initials("育婴员")[1:] == ("y", "y")
    assert "y" in pinyin_initials("育婴员")[0]
    assert set(pinyin_initials("调酒师")[0]) >= {"d", "t"}
    assert pinyin_initials("军官（警官）") == pinyin_initials("军官(警官)")
    assert pinyin_initials("军官(警官)") == ("j", "g", "j", "g")  # signs left out
    assert pinyin_initials("3D 打印") == ("3", "d", "d", "y")
    assert initials_position("hly", pinyin_initials("养老护理员")) == 2
    assert initials_position("yyy", pinyin_initials("养老护理员")) is None


def test_initials_are_read_once_per_name(care):
    care.search("yyy")
    before = pinyin_initials.cache_info()
    for _ in range(3):
        care.search("tjs")
        care.search("zzz")
    after = pinyin_initials.cache_info()
    assert after.misses == before.misses
    assert after.hits > before.hits


NAMES = sorted({o.name for o in OccupationIndex.default().occupations})


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(NAMES), data=st.data())
def test_any_part_of_any_catalog_name_finds_it(index, name, data):
    key = normalize_name(name)
    start = data.draw(st.integers(0, len(key) - 1))
    end = data.draw(st.integers(start + 1, len(key)))
    found = index.search(key[start:end], limit=len(index.occupations))
    assert name in {o.name for o in found}


@settings(max_examples=200, deadline=None)
@given(name=st.sampled_from(NAMES))
def test_the_initials_of_any_catalog_name_find_it(index, name):
    typed = "".join(
        char.lower()
        for part in lazy_pinyin(normalize_name(name), style=Style.FIRST_LETTER)
        for char in part
        if char.isascii() and char.isalnum()
    )
    found = index.search(typed, limit=len(index.occupations))
    assert name in {o.name for o in found}


def test_search_limit_and_empty(index):
    assert len(index.search("员", limit=5)) == 5
    assert index.search("") == []
    assert index.search("   ") == []
    assert index.search("员", limit=0) == []


@pytest.mark.parametrize(
    ("name", "code", "expected"),
    [
        ("焊工", "6-18-02-04", None),  # ordinary welders are certifiable
        ("焊工", None, None),
        ("电焊工", None, None),
        ("焊接操作工", None, None),
        ("民用核安全设备焊工、焊接操作工", None, "民用核安全设备焊工、焊接操作工"),
        ("民用核安全设备焊工", None, "民用核安全设备焊工、焊接操作工"),
        ("民用核安全设备焊接操作工", None, "民用核安全设备焊工、焊接操作工"),
        ("民用核安全设备焊工（手工焊）", None, "民用核安全设备焊工、焊接操作工"),
        ("保安员", None, "保安员"),
        ("保安员（初级）", None, "保安员"),
        ("安检员", "4-07-05-02", "民航安全检查员"),  # by code: the 2022 name differs
        ("消防设施操作员", "4-07-05-03", "消防设施操作员"),
        ("任意名称", "4-07-05-01", "保安员"),
        ("特种作业人员（电工）", None, "特种作业人员"),
        ("建筑施工特种作业人员", None, "建筑施工特种作业人员"),
        ("电工", "6-31-01-03", None),
        ("人工智能工程技术人员", "2-02-38-01", None),
        ("", None, None),
    ],
)
def test_is_access_type(index, name, code, expected):
    result = index.is_access_type(name, code)
    assert (result.name if result else None) == expected


def test_default_index():
    index = OccupationIndex.default()
    assert index.by_code("6-18-02-04").name == "焊工"
    assert index.is_access_type("保安员", None) is not None


@pytest.mark.parametrize("code", ["6-18-02-04", " 2-02-38-01 ", "7-01-00-00"])
def test_parse_occupation_code(code):
    assert parse_occupation_code(code) == code.strip()


@pytest.mark.parametrize(
    "code", ["6-18-2-04", "61802 04", "6180204", "6-18-02-04-01", "a-18-02-04", "6－18－02－04", ""]
)
def test_parse_occupation_code_refuses(code):
    with pytest.raises(InvalidInput, match="职业编码格式错误") as excinfo:
        parse_occupation_code(code, field="code")
    assert "code" in excinfo.value.fields
