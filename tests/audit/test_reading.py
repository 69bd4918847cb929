"""Reading the audit record (``skillcert.audit.selectors``): the reader's role, the filters."""

from __future__ import annotations

import datetime as dt

import pytest

from skillcert.accounts.roles import Role
from skillcert.audit import selectors
from skillcert.audit.service import PUBLIC, SYSTEM
from skillcert.rules.errors import Forbidden, InvalidInput, NotAuthenticated


def test_the_reader_role_is_the_audit_administrator():
    assert selectors.AUDIT_READER_ROLE == Role.AUDIT_ADMIN.value


def test_filters_parse_and_give_back_their_query():
    query = selectors.parse_query({"actor": " 张明 ", "action": "export", "from": "2026-12-01"})
    assert query == selectors.AuditQuery("张明", "export", dt.date(2026, 12, 1), None)
    assert query.as_params() == {"actor": "张明", "action": "export", "from": "2026-12-01"}
    assert selectors.parse_query({}) == selectors.AuditQuery()


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-02-30"}, "from"),
        ({"to": "2026-1-5"}, "to"),
        ({"action": "a" * 151}, "action"),
    ],
)
def test_bad_filters_name_their_field(params, field):
    with pytest.raises(InvalidInput) as info:
        selectors.parse_query(params)
    assert field in info.value.fields


@pytest.mark.django_db
def test_system_and_public_references_may_not_read(city_bureau):
    for actor in (SYSTEM, PUBLIC, None):
        with pytest.raises(NotAuthenticated):
            selectors.search(actor, selectors.AuditQuery())
    with pytest.raises(Forbidden):
        selectors.verify(city_bureau)


def test_an_overlong_value_is_cut_to_one_cell_and_says_so():
    assert selectors._cell("短") == "短"
    cut = selectors._cell("x" * 40_000)
    assert len(cut) == selectors.CELL_LIMIT and cut.endswith(
        "已截断；完整内容见接口 /api/v1/audit/entries）"
    )
