"""The permission-matrix harness: persona × endpoint → expected status, in one place.

A test module declares its table and hands the harness what differs per domain::

    MATRIX = Matrix(
        PERSONAS,                                  # the column order of every row
        prefixes={"F": "/api/v1/filings/{case}"},  # path shorthands
        bodies={"F/accept": lambda params, world: {...}},   # what a request sends
        fingerprint=fingerprint,                   # everything a request could change
    )
    ENDPOINTS = [Endpoint("200 404 … 401", "get", "F", "submitted"), …]

    def test_each_persona_gets_the_status_of_the_table(world, endpoint):
        MATRIX.check(endpoint, world.clients, build(endpoint.target, world), world)

``check`` sends the request as every persona, each in a savepoint rolled back afterwards (so
each meets the same world, compared before and after inside that savepoint), and reports
every mismatch at once. The rules it enforces (api.md, Conventions): the status of the
table; a refused request changes nothing; 401 is ``not_authenticated`` and 403 ``forbidden``;
a 404 has exactly the body an absent id gets; a successful write changes something and a
successful read changes nothing. Per-module ``checks`` add more (e.g. a content type).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

__all__ = ["ABSENT", "Endpoint", "Matrix", "error_code", "seen", "send"]

ABSENT = 999_999

Params = dict[str, Any]
Body = Callable[[Params, Any], Any]  # (path parameters, the module's world) → request body
Check = Callable[[str, "Endpoint", Any], "str | None"]  # (persona, endpoint, response) → wrong


@dataclass(frozen=True)
class Endpoint:
    """One row: the statuses (one per persona, in the matrix's order), the method (get, post,
    patch, put, or upload: a multipart POST), the path (a leading prefix letter stands for
    the matrix's prefix) and the target (the object the module's ``build`` makes)."""

    expected: str
    method: str
    path: str
    target: str

    @property
    def name(self) -> str:
        return f"{self.method} {self.path} ({self.target})"


def error_code(response: Any) -> str | None:
    try:
        return response.json()["error"]["code"]
    except (ValueError, KeyError, TypeError):
        return None


def send(client: Any, method: str, url: str, body: Any = None) -> Any:
    """Send a request; a streamed answer is read to its end and its resources released."""
    if method == "get":
        response = client.get(url)
    elif method == "upload":
        response = client.post(url, body, format="multipart")
    else:
        response = getattr(client, method)(url, body, format="json")
    if getattr(response, "streaming", False):
        b"".join(response.streaming_content)
        # Not response.close(): it sends request_finished, which closes the test's database
        # connection (harmless on SQLite in memory, fatal on PostgreSQL).
        for close in response._resource_closers:
            close()
        response._resource_closers.clear()
    return response


def seen(table: Mapping[str, str], personas: Sequence[str]) -> dict[str, set[str]]:
    """A visibility table (``{object key: "1 0 1 …"}`` over ``personas``) → the keys each
    persona sees."""
    result: dict[str, set[str]] = {persona: set() for persona in personas}
    for key, row in table.items():
        for persona, flag in zip(personas, row.split(), strict=True):
            if flag == "1":
                result[persona].add(key)
    return result


def absent_ids(_: Endpoint, params: Params) -> Params:
    """The default absent request: every integer path parameter replaced by ``ABSENT``."""
    return {
        key: ABSENT if isinstance(value, int) and not isinstance(value, bool) else value
        for key, value in params.items()
    }


class Matrix:
    """A permission table's rules: the personas (column order), path prefixes, bodies, what
    to compare before and after (``fingerprint``), and how the absent-id request is made.

    ``absent(endpoint, params)`` gives the parameters of the same request for an absent
    object (default: :func:`absent_ids`); its body is made from them too, unless
    ``body_of_absent=False`` (then from the real parameters, for bodies that read the
    object)."""

    def __init__(
        self,
        personas: Sequence[str],
        *,
        fingerprint: Callable[[], Any],
        prefixes: Mapping[str, str] | None = None,
        bodies: Mapping[str, Body] | None = None,
        absent: Callable[[Endpoint, Params], Params] = absent_ids,
        body_of_absent: bool = True,
        checks: Iterable[Check] = (),
    ) -> None:
        self.personas = tuple(personas)
        self.fingerprint = fingerprint
        self.prefixes = dict(prefixes or {})
        self.bodies = dict(bodies or {})
        self._absent = absent
        self.body_of_absent = body_of_absent
        self.checks = tuple(checks)

    # --- a row ---------------------------------------------------------------------------

    def codes(self, endpoint: Endpoint) -> dict[str, int]:
        return dict(zip(self.personas, map(int, endpoint.expected.split()), strict=True))

    def url(self, endpoint: Endpoint, params: Params) -> str:
        path = endpoint.path
        prefix = self.prefixes.get(path[:1], path[:1])
        return (prefix + path[1:]).format(**params)

    def body(self, endpoint: Endpoint, params: Params, world: Any = None) -> Any:
        make = self.bodies.get(endpoint.path)
        return make(params, world) if make and endpoint.method != "get" else {}

    def absent(self, endpoint: Endpoint, params: Params) -> Params:
        return self._absent(endpoint, params)

    # --- requests ------------------------------------------------------------------------

    def attempt(
        self,
        client: Any,
        endpoint: Endpoint,
        params: Params,
        world: Any = None,
        *,
        absent: bool = False,
    ) -> tuple[Any, bool]:
        """The response, and whether the world changed; the change is rolled back either
        way. ``absent``: the same request for an object that does not exist."""
        url_params = self.absent(endpoint, params) if absent else params
        body_params = url_params if self.body_of_absent else params
        with transaction.atomic():
            before = self.fingerprint()
            body = self.body(endpoint, body_params, world)
            response = send(client, endpoint.method, self.url(endpoint, url_params), body)
            changed = self.fingerprint() != before
            transaction.set_rollback(True)
        return response, changed

    def mismatches(
        self,
        endpoint: Endpoint,
        clients: Mapping[str, Any],
        params: Params,
        world: Any = None,
    ) -> list[str]:
        """Every way the personas' answers differ from the row and the rules, one line each."""
        wrong = []
        for persona, expected in self.codes(endpoint).items():
            client = clients[persona]
            response, changed = self.attempt(client, endpoint, params, world)
            status = response.status_code
            if status != expected:
                wrong.append(
                    f"{persona}: {status} (expected {expected}) {response.content[:200]!r}"
                )
                continue
            if status >= 400 and changed:
                wrong.append(f"{persona}: refused with {status} but the world changed")
            if status == 401 and error_code(response) != "not_authenticated":
                wrong.append(f"{persona}: 401 with code {error_code(response)}")
            if status == 403 and error_code(response) != "forbidden":
                wrong.append(f"{persona}: 403 with code {error_code(response)}")
            if status == 404:
                gone, _ = self.attempt(client, endpoint, params, world, absent=True)
                if (gone.status_code, gone.json()) != (404, response.json()):
                    wrong.append(
                        f"{persona}: 404 {response.json()} differs from an absent id's "
                        f"{gone.status_code} {gone.json()}"
                    )
            if status < 300 and endpoint.method != "get" and not changed:
                wrong.append(f"{persona}: {status} but nothing changed")
            if status < 300 and endpoint.method == "get" and changed:
                wrong.append(f"{persona}: a read changed the world")
            for extra in self.checks:
                problem = extra(persona, endpoint, response)
                if problem:
                    wrong.append(f"{persona}: {problem}")
        return wrong

    def check(
        self,
        endpoint: Endpoint,
        clients: Mapping[str, Any],
        params: Params,
        world: Any = None,
    ) -> None:
        """Assert the row, reporting every mismatch at once."""
        wrong = self.mismatches(endpoint, clients, params, world)
        assert not wrong, "\n".join(wrong)

    def check_wrong_state(
        self, client: Any, endpoint: Endpoint, params: Params, code: str, world: Any = None
    ) -> None:
        """The right party in a state the action does not start from: 409 with ``code``,
        and nothing changes."""
        response, changed = self.attempt(client, endpoint, params, world)
        assert response.status_code == 409, response.content
        assert error_code(response) == code
        assert not changed
