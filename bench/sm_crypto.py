"""The commercial algorithms against their usual counterparts, and the credential endpoint with
SM2 signatures on against off, in one run.

Run: .venv/bin/python bench/sm_crypto.py [--seconds 0.5] [--certificates 300] [--rounds 3]
     [--gmssl-python /tmp/venv/bin/python]

- Primitives, each run for ``--seconds``: SM2 sign and verify (Tongsuo through ``tongsuopy``,
  what ``skillcert.keystore.sm`` uses) against Ed25519 (``cryptography``); SM3 against SHA-256
  and SM4 (CTR, what the sealer uses, and GCM) against AES-256-GCM (all ``cryptography``'s
  OpenSSL) over 1 MiB buffers; the platform's SM4-SIV sealing of one ID number.
- ``--gmssl-python``: a Python that has the pure-Python ``gmssl`` package (install it only into
  a throwaway venv, never into the project's); one line times its SM2 sign and verify, to show
  what a pure-Python SM2 would cost. Skipped when not given or not importable.
- Endpoints (in-process, Django's test client, through the fast-path middleware): a temporary
  SQLite data directory, ``--certificates`` certificates, the Ed25519 key made once. For each
  round and each variant (SM2 off / on, their order alternating), a first pass over every
  certificate (``cold``: each credential signed and stored), then passes until ``--seconds``
  (``cached``: served from ``SignedCredential``); and the public verification endpoint
  (``GET /api/v1/public/certificates/<n>?name=``), which signs nothing. Endpoint rates are per
  CPU second of the process (``time.process_time``: client and server share one thread), so
  other load on the machine disturbs them less than wall time would.
- Prints operations per second side by side with the ratios; for the endpoints the median of
  the rounds, the ratio on/off and whether the aim (>= 0.9) is met. The data directory is
  removed in every case.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

AIM = 0.9
LABELS = {
    "verify": "public verification  /api/v1/public/certificates/<n>",
    "cached": "credential (stored)  …/<n>/credential",
    "cold": "credential (signing) first request after a change",
}
MIB = 1 << 20


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Operations per second of ``operation`` over about ``seconds``."""
    operation()  # warm
    done = 0
    began = time.perf_counter()
    deadline = began + seconds
    while True:
        for _ in range(10):
            operation()
        done += 10
        now = time.perf_counter()
        if now >= deadline:
            return done / (now - began)


def primitives(seconds: float) -> None:
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    from skillcert.keystore import sm

    message = b"S000034010001263000001." * 8  # ~ a credential's payload segment (184 bytes)
    ed = Ed25519PrivateKey.generate()
    ed_public = ed.public_key()
    ed_sig = ed.sign(message)
    sm2 = sm.sm2_generate()
    sm2_public = sm2.public_key()
    sm2_sig = sm.sm2_sign(sm2, message)
    assert sm.sm2_verify(sm2_public, sm2_sig, message)

    print(f"signatures over {len(message)} bytes (operations/s):")
    rows = [
        (
            "sign",
            rate(lambda: ed.sign(message), seconds),
            rate(lambda: sm.sm2_sign(sm2, message), seconds),
        ),
        (
            "verify",
            rate(lambda: ed_public.verify(ed_sig, message), seconds),
            rate(lambda: sm.sm2_verify(sm2_public, sm2_sig, message), seconds),
        ),
    ]
    for name, ed_rate, sm2_rate in rows:
        print(
            f"  {name:<7} Ed25519 (cryptography) {ed_rate:9.0f}   SM2 (tongsuopy) {sm2_rate:9.0f}"
            f"   SM2/Ed25519 {sm2_rate / ed_rate:.2f}"
        )

    buffer = os.urandom(MIB)
    key16, key32, nonce = os.urandom(16), os.urandom(32), os.urandom(12)

    def digest(algorithm: hashes.HashAlgorithm) -> Callable[[], bytes]:
        def run() -> bytes:
            h = hashes.Hash(algorithm)
            h.update(buffer)
            return h.finalize()

        return run

    def sm4(mode: modes.CTR | modes.GCM) -> Callable[[], bytes]:
        def run() -> bytes:
            encryptor = Cipher(algorithms.SM4(key16), mode).encryptor()  # type: ignore[misc]
            return encryptor.update(buffer) + encryptor.finalize()

        return run

    aes = AESGCM(key32)
    print("throughput over 1 MiB buffers (MiB/s):")
    sha256 = rate(digest(hashes.SHA256()), seconds)
    sm3 = rate(digest(hashes.SM3()), seconds)
    print(f"  hash    SHA-256 {sha256:8.0f}   SM3 {sm3:8.0f}   SM3/SHA-256 {sm3 / sha256:.2f}")
    gcm = rate(lambda: aes.encrypt(nonce, buffer, None), seconds)
    ctr = rate(sm4(modes.CTR(os.urandom(16))), seconds)
    sm4_gcm = rate(sm4(modes.GCM(nonce)), seconds)
    print(
        f"  cipher  AES-256-GCM {gcm:8.0f}   SM4-CTR {ctr:8.0f} ({ctr / gcm:.2f})"
        f"   SM4-GCM {sm4_gcm:8.0f} ({sm4_gcm / gcm:.2f})"
    )
    sealer = sm.DeterministicSealer(enc_key=os.urandom(16), mac_key=os.urandom(32))
    id_number = b"34010419900101123X"
    sealed = sealer.seal(id_number)
    seal_rate = rate(lambda: sealer.seal(id_number), seconds)
    open_rate = rate(lambda: sealer.open(sealed), seconds)
    print(f"  SM4-SIV one ID number: seal {seal_rate:9.0f}/s   open {open_rate:9.0f}/s")
    return None


GMSSL_SCRIPT = """
import sys, time
from gmssl import sm2, func
seconds = float(sys.argv[1])
private = func.random_hex(64)
c = sm2.CryptSM2(private_key=private, public_key="")
public = c._kg(int(private, 16), sm2.default_ecc_table["g"])
c = sm2.CryptSM2(private_key=private, public_key=public)
data = b"S000034010001263000001." * 8
def rate(op):
    op(); done = 0; began = time.perf_counter()
    while time.perf_counter() - began < seconds:
        op(); done += 1
    return done / (time.perf_counter() - began)
sig = c.sign_with_sm3(data)
assert c.verify_with_sm3(sig, data)
print(rate(lambda: c.sign_with_sm3(data)), rate(lambda: c.verify_with_sm3(sig, data)))
"""


def pure_python_sm2(python: str | None, seconds: float) -> None:
    if not python:
        print("pure-Python SM2 (gmssl): skipped (no --gmssl-python)")
        return
    try:
        done = subprocess.run(
            [python, "-c", GMSSL_SCRIPT, str(max(seconds, 1.0))],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        sign_rate, verify_rate = map(float, done.stdout.split())
    except (OSError, subprocess.SubprocessError, ValueError) as exc:
        print(f"pure-Python SM2 (gmssl): skipped ({exc})")
        return
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    message = b"S000034010001263000001." * 8
    ed = Ed25519PrivateKey.generate()
    sig = ed.sign(message)
    ed_sign = rate(lambda: ed.sign(message), seconds)
    ed_verify = rate(lambda: ed.public_key().verify(sig, message), seconds)
    print(
        f"pure-Python SM2 (gmssl): sign {sign_rate:7.0f}/s ({ed_sign / sign_rate:.0f}x slower than "
        f"Ed25519), verify {verify_rate:7.0f}/s ({ed_verify / verify_rate:.0f}x slower)"
    )


def endpoints(certificates: int, seconds: float, rounds: int) -> None:
    import verify_load

    data_dir = Path(tempfile.mkdtemp(prefix="skillcert-sm-bench-"))
    try:
        os.environ.setdefault("SKILLCERT_MASTER_KEY", "ab" * 32)
        verify_load.setup_django(data_dir)
        from django.test import Client, override_settings

        from skillcert.certificates.keys import rotate_keys
        from skillcert.certificates.models import SignedCredential

        pairs = verify_load.make_certificates(certificates)
        rotate_keys()
        client = Client(HTTP_HOST="localhost")

        def get(path: str, name: str) -> None:
            response = client.get(path, {"name": name})
            if response.status_code != 200:
                raise SystemExit(f"{path}: {response.status_code} {response.content[:300]!r}")

        def one_pass(kind: str) -> int:
            for number, name in pairs:
                suffix = "/credential" if kind == "credential" else ""
                get(f"{verify_load.REAL}{number}{suffix}", name)
            return len(pairs)

        # CPU seconds of this process (client and server are in it, one thread): far less
        # disturbed than wall time by other work on the machine.
        def timed(kind: str) -> float:
            done = 0
            began = time.process_time()
            while time.process_time() - began < seconds:
                done += one_pass(kind)
            return done / (time.process_time() - began)

        results: dict[tuple[str, bool], list[float]] = {}
        one_pass("verify")  # warm the process (imports, connection, statement cache)
        for round_no in range(rounds):
            order = (False, True) if round_no % 2 == 0 else (True, False)
            for on in order:
                with override_settings(SKILLCERT_SM2_SIGNATURES=on):
                    SignedCredential.objects.all().delete()  # the cold pass signs every one
                    began = time.process_time()
                    one_pass("credential")  # every credential signed and stored
                    cold = len(pairs) / (time.process_time() - began)
                    assert SignedCredential.objects.count() == len(pairs)
                    results.setdefault(("cold", on), []).append(cold)
                    results.setdefault(("cached", on), []).append(timed("credential"))
                    results.setdefault(("verify", on), []).append(timed("verify"))
                print(
                    f"  round {round_no + 1}, SM2 {'on ' if on else 'off'}: "
                    + ", ".join(f"{k} {results[(k, on)][-1]:.0f}" for k in LABELS)
                )
        print(
            f"endpoints, in-process ({certificates} certificates, {rounds} rounds, "
            f"median requests per CPU second):"
        )
        for kind, label in LABELS.items():
            off = statistics.median(results[(kind, False)])
            with_sm2 = statistics.median(results[(kind, True)])
            ratio = with_sm2 / off
            verdict = "" if kind == "cold" else (" met" if ratio >= AIM else " NOT met")
            print(
                f"  {label}: SM2 off {off:7.0f}  on {with_sm2:7.0f}  on/off {ratio:.3f}"
                + (f" (aim >= {AIM}:{verdict})" if verdict else "")
            )
        from django.db import connections

        connections.close_all()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=0.5)
    parser.add_argument("--certificates", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--gmssl-python", default=None)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    primitives(args.seconds)
    pure_python_sm2(args.gmssl_python, args.seconds)
    endpoints(args.certificates, max(args.seconds, 1.0), args.rounds)
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
