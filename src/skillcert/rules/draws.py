"""Random inspection draws (双随机): reproducible and checkable by anyone.

The draw is a pure function of a seed and two pools (targets and inspectors) plus the declared
conflicts. Each candidate is ranked by SHA-256 of the seed and its id; the lowest ranks win.
Publishing the seed and the pools (with their digests) lets anyone recompute the result.
When no seed is given, it is derived from public facts: the date, the authority and the
digests of both pools, so nobody can pick a convenient seed after seeing the pools.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from skillcert.rules.errors import InvalidInput


def canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def digest(value: object) -> str:
    """SHA-256 of the canonical JSON of ``value`` (a pool's published fingerprint)."""
    return hashlib.sha256(canonical(value).encode("utf-8")).hexdigest()


def derived_seed(day: str, authority: str, targets_digest: str, inspectors_digest: str) -> str:
    """A seed nobody chooses: the date, the authority and what was in both pools."""
    return hashlib.sha256(
        f"{day}|{authority}|{targets_digest}|{inspectors_digest}".encode()
    ).hexdigest()[:32]


def rank(seed: str, *parts: str) -> str:
    return hashlib.sha256("|".join((seed, *parts)).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Assignment:
    target: str
    inspectors: tuple[str, ...]


@dataclass(frozen=True)
class DrawResult:
    seed: str
    targets: tuple[str, ...]
    assignments: tuple[Assignment, ...]


def draw(
    seed: str,
    targets: Sequence[str],
    inspectors: Sequence[str],
    *,
    count: int,
    per_target: int,
    conflicts: Iterable[tuple[str, str]] = (),
    labels: Mapping[str, str] | None = None,
) -> DrawResult:
    """Draw ``count`` targets, then ``per_target`` inspectors for each, never one with a
    declared conflict with that target. Ids are strings; the order of the pools is irrelevant.
    ``labels`` (id → name) only words the messages: people read names, not ids.

    Refused (InvalidInput) when a pool is too small for what is asked.
    """
    if not seed:
        raise InvalidInput.for_field("seed", "随机种子不能为空")
    if count < 1:
        raise InvalidInput.for_field("count", "抽取对象数量至少为 1")
    if per_target < 1:
        raise InvalidInput.for_field("inspectors", "每个对象至少抽取 1 名督查员")
    target_pool = sorted(set(targets))
    inspector_pool = sorted(set(inspectors))
    if count > len(target_pool):
        raise InvalidInput.for_field(
            "count", f"抽取 {count} 个对象，但对象库只有 {len(target_pool)} 个"
        )
    if per_target > len(inspector_pool):
        raise InvalidInput.for_field(
            "inspectors",
            f"每个对象抽取 {per_target} 名督查员，但督查员库只有 {len(inspector_pool)} 名",
        )
    blocked = set(conflicts)
    chosen = sorted(target_pool, key=lambda t: rank(seed, "target", t))[:count]
    assignments = []
    for target in chosen:
        eligible = [i for i in inspector_pool if (i, target) not in blocked]
        if len(eligible) < per_target:
            raise InvalidInput.for_field(
                "inspectors",
                f"对象「{(labels or {}).get(target, target)}」排除利益冲突后"
                f"只有 {len(eligible)} 名督查员可选，"
                f"少于 {per_target} 名",
            )
        team = sorted(eligible, key=lambda i: rank(seed, "inspector", target, i))[:per_target]
        assignments.append(Assignment(target, tuple(team)))
    return DrawResult(seed, tuple(chosen), tuple(assignments))
