"""The occupation catalog as loaded by ``skillcert setup``: codes with editions, flags, lookup."""

from __future__ import annotations

import pytest

from skillcert.audit.service import SYSTEM
from skillcert.reference.models import AccessQualification, Occupation
from skillcert.reference.selectors import (
    occupation_by_code,
    occupations_by_name,
    search_occupations,
)
from skillcert.reference.services import load_occupation_catalog

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalog():
    return load_occupation_catalog(actor=SYSTEM)


def test_catalog_loads_every_2022_occupation(catalog):
    assert Occupation.objects.filter(edition="2022").count() == 1639
    assert AccessQualification.objects.count() == 23


def test_lookup_by_code_and_by_name(catalog):
    welder = occupation_by_code("6-18-02-04")
    assert welder is not None and welder.name == "焊工"
    assert not welder.access_type  # ordinary welders are certifiable
    assert [o.code for o in occupations_by_name("焊工")] == ["6-18-02-04"]


def test_new_and_access_type_flags(catalog):
    ai = occupations_by_name("人工智能工程技术人员").get()
    assert ai.new_occupation and ai.new_batch == 1
    guard = occupation_by_code("4-07-05-01")
    assert guard.name == "保安员" and guard.access_type


def test_new_occupations_without_a_code_are_found_by_name(catalog):
    uncoded = Occupation.objects.filter(edition="new", code__isnull=True)
    assert uncoded.exists()
    sample = uncoded.first()
    assert occupations_by_name(sample.name).get().new_occupation


def test_search_by_code_prefix_and_name_part(catalog):
    assert all(o.code.startswith("6-18") for o in search_occupations("6-18"))
    assert any(o.name == "焊工" for o in search_occupations("焊"))
    assert search_occupations("  ") == []


def test_loading_twice_changes_nothing(catalog):
    again = load_occupation_catalog(actor=SYSTEM)
    assert again["created"] == 0 and again["updated"] == 0


def test_search_finds_any_part_of_the_name_and_pinyin_initials(catalog):
    # The 2022 edition calls it 婴幼儿发展引导员; an officer may keep the former name too.
    Occupation.objects.create(edition="2015", code="4-10-01-02", name="育婴员")
    for typed in ("育婴", "婴员", "yyy", "YYY"):
        assert "育婴员" in [o.name for o in search_occupations(typed)], typed
    assert search_occupations("婴幼")[0].name == "婴幼儿发展引导员"
    assert search_occupations("yyefzydy")[0].name == "婴幼儿发展引导员"


def test_search_keeps_its_index_and_sees_new_rows(catalog, django_assert_num_queries):
    search_occupations("焊")
    with django_assert_num_queries(1):  # the rows' count and last id, nothing more
        assert "焊工" in [o.name for o in search_occupations("hg", limit=100)]
    Occupation.objects.create(edition="2015", code="4-10-01-02", name="育婴员")
    assert search_occupations("育婴")[0].name == "育婴员"


def test_the_lookup_shows_a_new_occupations_code(catalog, public_client):
    response = public_client.get("/api/v1/occupations", {"q": "人工智能工程"})
    assert response.status_code == 200
    (hit,) = response.json()
    assert hit == {
        "code": "2-02-38-01",
        "name": "人工智能工程技术人员",
        "edition": "2022",
        "new_occupation": True,
        "document_no": "人社厅发〔2019〕48号",
        "access_type": False,
    }
    (uncoded,) = public_client.get("/api/v1/occupations", {"q": "生成式人工智能"}).json()
    assert uncoded["new_occupation"] and uncoded["code"] is None
    assert uncoded["document_no"] == "人社厅发〔2024〕36号"
    hits = public_client.get("/api/v1/occupations", {"q": "wypsy"}).json()
    assert hits[0]["name"] == "网约配送员" and hits[0]["code"] == "4-10-08-01"
