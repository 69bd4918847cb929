"""Certificate counts that do not grow with the certificates: the lists' status tabs, their
paginators' totals and the workbench's card, counted once and then read from the cache until
a certificate changes.

The key of a count is the query it counts (its SQL and parameters, hashed), so a count is
only ever served to a query with the same scope and the same filters: a city officer's count
is not another city's, nor an organization's. Every key also carries a *generation*, one
cache entry replaced by a new random value whenever certificates change (``changed()``):

- the three services that write certificates (issuing, revocation and reissue, correction)
  call it through ``signals.announce``, inside their transaction, then again when it commits
  (a page that counted while the write was still open cached the old figure under the new
  generation: the second bump leaves it behind);
- a ``post_save``/``post_delete`` of a certificate (any future write through the model), and
  an organization saved with a new filing authority or city (which moves its certificates
  from one city's scope to another's), call it too. ``QuerySet.update()`` on certificates
  sends nothing: none exists; a new one must call ``changed()``.

So with no writes the counts come from the cache, and after a write they are exact again.
Counts also expire after ``TIMEOUT`` seconds, which bounds how long a lost bump (a cache
server that dropped the write but answers reads) could show an old figure. When the cache
does not answer (Redis down: ``IGNORE_EXCEPTIONS``), nothing is cached and everything is
counted, exactly as before. The lists do not cache the total of a free-text search (a plain
``Paginator``): its keys would be unbounded, and an exact number, name or ID number is counted
from an index.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from functools import cached_property
from typing import Any, TypeVar, cast

from django.core.cache import cache
from django.core.exceptions import EmptyResultSet
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, QuerySet

from skillcert.certificates.models import Certificate, CertificateStatus

GENERATION_KEY = "certificates:counts:generation"
PREFIX = "certificates:counts"
TIMEOUT = 600

T = TypeVar("T")


def _new_generation() -> str:
    return secrets.token_hex(8)


def bump() -> None:
    """A new generation: every count cached so far is left behind."""
    cache.set(GENERATION_KEY, _new_generation(), None)


def changed() -> None:
    """Certificates changed (or are changing in the open transaction): bump now, so the
    writing transaction and tests inside one see exact counts, and again on commit."""
    bump()
    transaction.on_commit(bump)


def generation() -> str | None:
    """The current generation (made when there is none), or None when the cache is down."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        cache.add(GENERATION_KEY, _new_generation(), None)
        value = cache.get(GENERATION_KEY)
    return value if isinstance(value, str) else None


def _key(what: str, queryset: QuerySet[Any], current: str) -> str | None:
    try:
        sql, params = queryset.order_by().query.get_compiler(using=queryset.db).as_sql()
    except EmptyResultSet:  # ``.none()``: counted without a query
        return None
    digest = hashlib.sha256(repr((queryset.db, sql, tuple(params))).encode()).hexdigest()
    return f"{PREFIX}:{current}:{what}:{digest}"


def _cached(what: str, queryset: QuerySet[Any], compute: Callable[[], T]) -> T:
    current = generation()
    if current is None:
        return compute()
    key = _key(what, queryset, current)
    if key is None:
        return compute()
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, TIMEOUT)
    return value


def count(certificates: QuerySet[Certificate]) -> int:
    """``certificates.count()``, from the cache when it is there."""
    return _cached("count", certificates, certificates.count)


def status_counts(certificates: QuerySet[Certificate]) -> dict[str, int]:
    """How many of ``certificates`` are in each status (every status, zeros included)."""

    def compute() -> dict[str, int]:
        rows = certificates.order_by().values("status").annotate(n=Count("pk"))
        counts = dict.fromkeys(CertificateStatus.values, 0)
        counts.update({row["status"]: row["n"] for row in rows})
        return counts

    return dict(_cached("status", certificates, compute))


class CountedPaginator(Paginator):
    """Django's paginator with its total from ``count()``: ``object_list`` is a queryset of
    certificates."""

    @cached_property
    def count(self) -> int:
        return count(cast("QuerySet[Certificate]", self.object_list))


# --- what calls changed() besides the services (connected in CertificatesConfig.ready) ------

SCOPE_FIELDS = frozenset({"filing_authority", "home_city"})


def on_certificate_saved(sender: Any, **kwargs: Any) -> None:
    """``post_save``/``post_delete`` of a certificate."""
    changed()


def on_organization_saved(sender: Any, created: bool = False, **kwargs: Any) -> None:
    """An organization saved whole or with its filing authority or city: a city's scope of
    certificates may have moved (a new one has no certificates)."""
    update_fields = kwargs.get("update_fields")
    if not created and (update_fields is None or SCOPE_FIELDS & set(update_fields)):
        changed()


def connect() -> None:
    from django.db.models.signals import post_delete, post_save

    from skillcert.registry.models import Organization

    post_save.connect(on_certificate_saved, sender=Certificate, dispatch_uid="counts_saved")
    post_delete.connect(on_certificate_saved, sender=Certificate, dispatch_uid="counts_deleted")
    post_save.connect(on_organization_saved, sender=Organization, dispatch_uid="counts_scope")
