"""The SM algorithms against the standards' test vectors (GB/T 32905 SM3, GB/T 32907 SM4,
GB/T 32918.2 SM2), and the platform's SM4-SIV sealing."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from skillcert.keystore import sm
from tests.keystore import sm2_reference as ref

# GB/T 32905-2016 appendix A: "abc" and "abcd" x 16.
SM3_VECTORS = [
    (b"abc", "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"),
    (b"abcd" * 16, "debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732"),
]


@pytest.mark.parametrize(("message", "digest"), SM3_VECTORS)
def test_sm3_gives_the_standards_digests(message, digest):
    assert sm.sm3(message).hex() == digest


def test_hmac_sm3_is_rfc_2104_over_sm3():
    # No national HMAC vector exists; HMAC is defined over any hash (GB/T 15852.2 / RFC 2104):
    # the stdlib's HMAC over OpenSSL's SM3 gives the same bytes.
    for key in (b"k", b"k" * 64, b"k" * 100):
        expected = hmac.new(key, b"message", lambda data=b"": hashlib.new("sm3", data)).digest()
        assert sm.hmac_sm3(key, b"message") == expected
    assert sm.hmac_sm3(b"a", b"m") != sm.hmac_sm3(b"b", b"m")


def test_sm4_gives_the_standards_ciphertext():
    # GB/T 32907-2016 appendix A, example 1.
    key = bytes.fromhex("0123456789abcdeffedcba9876543210")
    assert sm.sm4_encrypt_block(key, key).hex() == "681edf34d206965e86b3e94f536e4246"


def test_the_reference_sm2_verifies_the_standards_worked_example():
    # GB/T 32918.2-2016 appendix A (on the standard's example curve): Z_A and (r, s).
    public = (
        0x0AE4C7798AA0F119471BEE11825BE46202BB79E2A5844495E97C04FF4DF2548A,
        0x7C0240F88F1CD4E16352A73C17B7F16F07353E53A176D684A9FE0C6BB798E857,
    )
    r = 0x40F1EC59F793D9F49E09DCEF49130D4194F79FB1EED2CAA55BACDB49C4E755D1
    s = 0x6FC6DAC32C5D5CF10C77DFB20F7C2EB667A457872FB09EC56327A67EC7DEEBE7
    uid = b"ALICE123@YAHOO.COM"
    z = ref.za(ref.EXAMPLE, uid, public).hex().upper()
    assert z == "F4A38489E32B45B6F876E3AC2168CA392362DC8F23459C1D1146FC3DBFB7BC9A"
    assert ref.verify(ref.EXAMPLE, public, uid, b"message digest", r, s)
    assert not ref.verify(ref.EXAMPLE, public, uid, b"message digesT", r, s)
    assert not ref.verify(ref.EXAMPLE, public, b"BILL456@YAHOO.COM", b"message digest", r, s)


def test_the_librarys_sm2_is_the_standards_both_ways():
    """Tongsuo's signatures verify under the reference (Z with the default identifier on the
    recommended curve), and the reference's under Tongsuo."""
    private = sm.sm2_generate()
    x, y = sm.sm2_public_xy(private.public_key())
    public = (int.from_bytes(x, "big"), int.from_bytes(y, "big"))
    message = "职业技能等级证书 S000034000000202600001".encode()
    signature = sm.sm2_sign(private, message)
    r, s = int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big")
    assert ref.verify(ref.SM2P256, public, sm.DEFAULT_ID, message, r, s)
    assert not ref.verify(ref.SM2P256, public, b"another id", message, r, s)

    d = private.private_numbers().private_value
    r2, s2 = ref.sign(ref.SM2P256, d, sm.DEFAULT_ID, message)
    theirs = r2.to_bytes(32, "big") + s2.to_bytes(32, "big")
    assert sm.sm2_verify(private.public_key(), theirs, message)
    assert not sm.sm2_verify(private.public_key(), theirs, message + b".")


def test_sm2_signatures_keys_and_coordinates_round_trip():
    private = sm.sm2_generate()
    signature = sm.sm2_sign(private, b"data")
    assert len(signature) == 64
    again = sm.sm2_load_private(sm.sm2_private_pem(private))
    assert sm.sm2_verify(again.public_key(), signature, b"data")
    public = sm.sm2_public_from_xy(*sm.sm2_public_xy(private.public_key()))
    assert sm.sm2_verify(public, signature, b"data")
    assert not sm.sm2_verify(public, signature[:63], b"data")
    assert not sm.sm2_verify(public, bytes(64), b"data")
    assert not sm.sm2_verify(sm.sm2_generate().public_key(), signature, b"data")
    r, s = decode_dss_signature(private.sign(b"x", sm.sm_ec.ECDSA(sm.sm_hashes.SM3())))
    assert r > 0 and s > 0


def test_sm4_siv_seals_equal_values_equally_and_refuses_tampering():
    sealer = sm.DeterministicSealer(enc_key=b"e" * 16, mac_key=b"m" * 32)
    sealed = sealer.seal(b"340104199001011234")
    assert sealed == sealer.seal(b"340104199001011234")  # an exact lookup finds it
    assert sealed != sealer.seal(b"340104199001011235")
    assert b"340104" not in sealed and len(sealed) == 16 + 18
    assert sealer.open(sealed) == b"340104199001011234"
    flipped = sealed[:20] + bytes([sealed[20] ^ 1]) + sealed[21:]
    with pytest.raises(sm.SealBroken):
        sealer.open(flipped)
    with pytest.raises(sm.SealBroken):
        sealer.open(sealed[:10])
    other = sm.DeterministicSealer(enc_key=b"f" * 16, mac_key=b"m" * 32)
    with pytest.raises(sm.SealBroken):
        other.open(sealed)
    with pytest.raises(ValueError):
        sm.DeterministicSealer(enc_key=b"short", mac_key=b"m" * 32)
