"""What sealing personal data at rest (SM4, ``keystore.fields``) costs public verification.

Run: .venv/bin/python bench/sealed_fields.py [--certificates 3000] [--requests 400] [--rounds 3]

- A temporary data directory with SQLite, migrated; ``--certificates`` valid certificates
  written with ``bulk_create`` (``verify_load.make_certificates``: their ID numbers sealed, as
  the product writes them).
- The seal and the open of one 18-character ID number (µs each, 20,000 of each).
- Public verification, three ways, each ``--requests`` calls a round over random certificates:
  the service (``verification.find_public`` + ``public_fields``), the endpoint
  ``/api/v1/public/certificates/<n>?name=`` and the credential endpoint
  ``/api/v1/public/certificates/<n>/credential?name=`` (Django's test client, in-process).
  "sealed" is the product; "unsealed" is the same with ``verification.open_value`` replaced by
  the identity, i.e. the same path without the SM4 open (the lookup is by certificate number
  either way, so the open is the only difference sealing makes there). The two alternate,
  every 20 calls, ``--rounds`` times; the median round of each is reported, with the ratio
  of their rates.
- The data migration's ``seal_rows`` over the certificates (read, open, seal, write back).
- Bounded: a few seconds of measuring; the data directory is removed in every case.

Aim: sealed >= 0.9 x unsealed requests/s on the two endpoints (what the public calls). The bare
service call is shown for scale: a ~30 µs query, where the ~5 µs open is a visible share.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from verify_load import make_certificates, setup_django  # noqa: E402

ID = "34010419900101123X"
CHUNK = 20  # calls of one mode before the other mode's turn


def per_value_us(count: int = 20_000) -> tuple[float, float]:
    from skillcert.keystore.fields import open_value, seal_value

    seal_value(ID)  # the derived keys, once
    started = time.perf_counter()
    for _ in range(count):
        sealed = seal_value(ID)
    seal_us = (time.perf_counter() - started) / count * 1e6
    started = time.perf_counter()
    for _ in range(count):
        open_value(sealed)
    open_us = (time.perf_counter() - started) / count * 1e6
    return seal_us, open_us


def measure(call, pairs: list[tuple[str, str]]) -> float:
    """Calls per second over ``pairs``."""
    started = time.perf_counter()
    for number, name in pairs:
        call(number, name)
    return len(pairs) / (time.perf_counter() - started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--certificates", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if not (100 <= args.certificates <= 100_000 and 10 <= args.requests <= 5000):
        print("--certificates 100-100000, --requests 10-5000", file=sys.stderr)
        return 2
    if not 1 <= args.rounds <= 9:
        print("--rounds 1-9", file=sys.stderr)
        return 2
    data_dir = Path(tempfile.mkdtemp(prefix="skillcert-bench-sealed-"))
    try:
        started = time.perf_counter()
        setup_django(data_dir)
        (data_dir / "static").mkdir(exist_ok=True)
        all_pairs = make_certificates(args.certificates)
        print(f"setup: {args.certificates} certificates in {time.perf_counter() - started:.1f} s")
        return run(args, all_pairs)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run(args: argparse.Namespace, all_pairs: list[tuple[str, str]]) -> int:
    from django.db import connection
    from django.test import Client

    from skillcert.certificates import verification
    from skillcert.certificates.models import Certificate
    from skillcert.keystore.fields import PREFIX, open_value

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id_number FROM {Certificate._meta.db_table} LIMIT 1")
        assert cursor.fetchone()[0].startswith(PREFIX), "the ID numbers are not sealed"

    from skillcert.certificates.keys import ensure_key

    ensure_key()  # the credential endpoint signs with the current key
    seal_us, open_us = per_value_us()
    print(f"per value: seal {seal_us:.1f} µs, open {open_us:.1f} µs (18-character ID number)")

    client = Client(HTTP_HOST="127.0.0.1")

    def service(number: str, name: str) -> None:
        verification.public_fields(verification.find_public(number, name))

    def endpoint(number: str, name: str) -> None:
        response = client.get(f"/api/v1/public/certificates/{number}?name={quote(name)}")
        assert response.status_code == 200, response.status_code

    def credential(number: str, name: str) -> None:
        response = client.get(f"/api/v1/public/certificates/{number}/credential?name={quote(name)}")
        assert response.status_code == 200, response.status_code

    rng = random.Random(13)
    paths = {"service": service, "endpoint": endpoint, "credential": credential}
    rates: dict[tuple[str, str], list[float]] = {}
    for path, call in paths.items():
        measure(call, rng.sample(all_pairs, min(50, len(all_pairs))))  # warm-up
        for _round in range(args.rounds):
            # The two modes alternate every CHUNK calls, so that the machine's load drifts
            # (other processes) fall on both alike.
            spent = {"sealed": 0.0, "unsealed": 0.0}
            for _chunk in range(max(1, args.requests // CHUNK)):
                for mode in ("sealed", "unsealed"):
                    pairs = [rng.choice(all_pairs) for _ in range(CHUNK)]
                    verification.open_value = open_value if mode == "sealed" else _identity  # type: ignore[assignment]
                    try:
                        spent[mode] += CHUNK / measure(call, pairs)
                    finally:
                        verification.open_value = open_value
            for mode, seconds in spent.items():
                calls = max(1, args.requests // CHUNK) * CHUNK
                rates.setdefault((path, mode), []).append(calls / seconds)

    from skillcert.keystore.fields import seal_rows

    started = time.perf_counter()
    rewritten = seal_rows(Certificate, "id_number")
    seconds = time.perf_counter() - started
    print(
        f"data migration (seal_rows, SQLite): {rewritten} certificates in {seconds:.2f} s"
        f" ({rewritten / seconds:,.0f} rows/s)"
    )
    worst = float("inf")
    print(f"{'path':<12} {'sealed /s':>10} {'unsealed /s':>12} {'ratio':>6}")
    for path in paths:
        sealed = statistics.median(rates[(path, "sealed")])
        unsealed = statistics.median(rates[(path, "unsealed")])
        ratio = sealed / unsealed
        if path != "service":
            worst = min(worst, ratio)
        print(f"{path:<12} {sealed:>10.0f} {unsealed:>12.0f} {ratio:>6.2f}")
    verdict = "met" if worst >= 0.9 else "NOT met"
    print(f"aim: sealed >= 0.9 x unsealed on both endpoints: {verdict}")
    return 0 if worst >= 0.9 else 1


def _identity(value: str | None) -> str | None:
    return value


if __name__ == "__main__":
    raise SystemExit(main())
