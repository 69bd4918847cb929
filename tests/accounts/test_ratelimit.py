"""The rate-limit counters: one table every server process maps, counted under a file lock."""

from __future__ import annotations

import multiprocessing

import pytest

from skillcert.accounts import ratelimit as throttling


@pytest.fixture
def table(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    throttling.reset_counters()
    return tmp_path / throttling.TABLE_NAME


def test_counts_per_key_and_window(table):
    assert [throttling.hit("a", 10, 60) for _ in range(3)] == [1, 2, 3]
    assert throttling.hit("b", 10, 60) == 1  # another client counts on its own
    assert throttling.hit("a", 11, 60) == 1  # a new window starts again
    assert throttling.hit("a", 11, 60) == 2
    assert table.stat().st_size == throttling.SLOTS * throttling.SLOT.size


def _hammer(data_dir: str, times: int, queue) -> None:
    from django.conf import settings

    settings.DATA_DIR = data_dir
    last = 0
    for _ in range(times):
        last = throttling.hit("shared-client", 7, 60)
    queue.put(last)


def test_processes_never_lose_a_count(table):
    """Two forked processes count the same client: every request is counted once."""
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    times = 3000
    workers = [
        context.Process(target=_hammer, args=(str(table.parent), times, queue)) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
        assert worker.exitcode == 0
    lasts = sorted(queue.get(timeout=5) for _ in workers)
    assert lasts[-1] == 2 * times
    assert throttling.hit("shared-client", 7, 60) == 2 * times + 1


def small_table(settings, tmp_path, monkeypatch, slots: int) -> None:
    monkeypatch.setattr(throttling, "PROBES", slots)
    monkeypatch.setattr(throttling, "SLOTS", slots)
    monkeypatch.setattr(throttling, "_state", {})  # map a table of the small size
    settings.DATA_DIR = tmp_path / "small"
    settings.DATA_DIR.mkdir()
    throttling.reset_counters()


def test_a_full_neighbourhood_takes_over_the_slot_ending_first(settings, tmp_path, monkeypatch):
    """With every probed slot counting a live window, a newcomer takes over the one whose
    window ends first: that client starts again from 1 (let through), nobody counts too high."""
    small_table(settings, tmp_path, monkeypatch, 2)
    assert throttling.hit("old", 4, 60) == 1
    assert throttling.hit("a", 5, 60) == 1
    assert throttling.hit("b", 5, 60) == 1  # takes the slot whose window (4) has ended
    assert throttling.hit("c", 5, 60) == 1  # both live in window 5: takes one over
    truth = {"a": 1, "b": 1, "c": 1}
    for key in truth:
        truth[key] += 1
        assert throttling.hit(key, 5, 60) <= truth[key]


def test_an_hourly_count_is_not_taken_over_by_minute_counts(settings, tmp_path, monkeypatch):
    """Windows of different lengths share the table: a minute's key never frees a live hourly
    count (the registration limit would reset to 1)."""
    small_table(settings, tmp_path, monkeypatch, 2)
    now = 3600 * 500_000 + 100  # early in an hour: the hour ends in 3,500 s, a minute in < 60 s
    for _ in range(10):
        throttling.hit("register", int(now // 3600), 3600)
    for index in range(5):
        throttling.hit(f"verify-{index}", int(now // 60), 60)
    assert throttling.hit("register", int(now // 3600), 3600) == 11


def test_a_torn_table_starts_again(settings, tmp_path, monkeypatch):
    monkeypatch.setattr(throttling, "_state", {})
    table = tmp_path / throttling.TABLE_NAME
    # One byte too long (a torn creation), with "a" at 9 in its slot.
    old = bytearray(throttling.SLOTS * throttling.SLOT.size + 1)
    slot = throttling._key_hash("a") % throttling.SLOTS
    throttling.SLOT.pack_into(old, slot * throttling.SLOT.size, throttling._key_hash("a"), 120, 9)
    table.write_bytes(bytes(old))
    settings.DATA_DIR = tmp_path
    assert throttling.hit("a", 1, 60) == 1  # not 10: nothing of the old file is read
    assert table.stat().st_size == throttling.SLOTS * throttling.SLOT.size


def test_a_table_that_cannot_be_opened_leaves_no_descriptor_behind(settings, tmp_path):
    settings.DATA_DIR = tmp_path
    throttling.hit("a", 1, 60)
    settings.DATA_DIR = tmp_path / "missing"
    with pytest.raises(FileNotFoundError):
        throttling.hit("a", 1, 60)
    assert throttling._state == {}  # the old table closed, nothing half-closed kept
    settings.DATA_DIR = tmp_path
    assert throttling.hit("a", 1, 60) == 2


def test_each_data_directory_has_its_own_table(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "one"
    settings.DATA_DIR.mkdir()
    throttling.reset_counters()
    assert throttling.hit("a", 1, 60) == 1
    settings.DATA_DIR = tmp_path / "two"
    settings.DATA_DIR.mkdir()
    assert throttling.hit("a", 1, 60) == 1
    settings.DATA_DIR = tmp_path / "one"
    assert throttling.hit("a", 1, 60) == 2


@pytest.mark.django_db
def test_a_forged_forwarded_for_header_does_not_escape_the_limit(monkeypatch):
    """Without trusted proxies (SKILLCERT_NUM_PROXIES=0) the client's own address counts,
    whatever X-Forwarded-For it sends."""
    from django.test import Client
    from rest_framework.settings import api_settings
    from rest_framework.throttling import ScopedRateThrottle

    assert api_settings.NUM_PROXIES == 0
    rates = {**api_settings.DEFAULT_THROTTLE_RATES, "verify": "1/min"}
    monkeypatch.setattr(ScopedRateThrottle, "THROTTLE_RATES", rates)
    throttling.reset_counters()
    path = "/api/v1/public/certificates/S000034010001263000001"
    client = Client()
    first = client.get(path, {"name": "张三"}, HTTP_X_FORWARDED_FOR="203.0.113.1")
    second = client.get(path, {"name": "张三"}, HTTP_X_FORWARDED_FOR="203.0.113.2")
    assert first.status_code == 404  # unknown, but counted
    assert second.status_code == 429
