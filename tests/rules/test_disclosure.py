"""The masking of phone numbers and the removal of a result publicity's names (pure rules)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from skillcert.rules.disclosure import (
    NAMES_REMOVED,
    mask_phone,
    name_list_rows,
    publicity_over,
    without_name_list,
)


def test_the_usual_numbers():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("0551-62620000") == "0551-****0000"
    assert mask_phone("138 1234 1234") == "138 **** 1234"
    assert mask_phone("") == mask_phone(None) == ""
    assert mask_phone("12345") == "***45"


@given(st.from_regex(r"\A(\+86 )?1[3-9]\d{9}\Z|\A0\d{2,3}-\d{7,8}(-\d{1,4})?\Z"))
def test_a_masked_number_hides_at_least_four_digits_and_keeps_its_shape(number: str):
    masked = mask_phone(number)
    assert len(masked) == len(number)
    assert masked.count("*") >= 4
    assert masked[-4:] == number[-4:]
    assert [c for c in masked if not c.isdigit() and c != "*"] == [
        c for c in number if not c.isdigit()
    ]
    assert mask_phone(masked) != number


@given(st.text(max_size=30))
def test_any_text_is_masked_without_error_and_keeps_its_length(text: str):
    masked = mask_phone(text)
    assert len(masked) == len(text)
    digits = sum(c.isdigit() for c in text)
    if digits >= 8:
        assert masked.count("*") - text.count("*") >= 4


def test_a_publicity_is_over_the_day_after_its_last_day():
    last = dt.date(2026, 11, 10)
    assert not publicity_over(last, last)
    assert publicity_over(last, last + dt.timedelta(days=1))
    assert not publicity_over(None, last)


def test_the_list_of_names_goes_and_the_counts_stay():
    body = "合格人数：2\n姓名\t证件号码\n甲\t3401**1\n乙\t3401**2"
    assert name_list_rows(body) == 2
    assert without_name_list(body) == f"合格人数：2\n{NAMES_REMOVED}"
    assert name_list_rows(without_name_list(body)) == 0
