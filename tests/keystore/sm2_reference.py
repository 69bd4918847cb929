"""A plain SM2 (GB/T 32918.2) in integers: slow and small, written from the standard to check
the library the platform uses against it (the standard's worked example is on its own example
curve, which no library loads)."""

import secrets

from cryptography.hazmat.primitives import hashes


def sm3(data: bytes) -> bytes:
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


class Curve:
    def __init__(self, p, a, b, gx, gy, n):
        self.p, self.a, self.b, self.g, self.n = p, a, b, (gx, gy), n

    def add(self, P, Q):
        if P is None:
            return Q
        if Q is None:
            return P
        p = self.p
        if P[0] == Q[0] and (P[1] + Q[1]) % p == 0:
            return None
        if P == Q:
            slope = (3 * P[0] * P[0] + self.a) * pow(2 * P[1], -1, p) % p
        else:
            slope = (Q[1] - P[1]) * pow(Q[0] - P[0], -1, p) % p
        x = (slope * slope - P[0] - Q[0]) % p
        return (x, (slope * (P[0] - x) - P[1]) % p)

    def mul(self, k, P):
        R = None
        while k:
            if k & 1:
                R = self.add(R, P)
            P = self.add(P, P)
            k >>= 1
        return R


def b32(v):
    return v.to_bytes(32, "big")


def za(curve, uid: bytes, pub) -> bytes:
    entl = (len(uid) * 8).to_bytes(2, "big")
    return sm3(
        entl
        + uid
        + b32(curve.a)
        + b32(curve.b)
        + b32(curve.g[0])
        + b32(curve.g[1])
        + b32(pub[0])
        + b32(pub[1])
    )


def verify(curve, pub, uid, msg, r, s) -> bool:
    n = curve.n
    if not (1 <= r < n and 1 <= s < n):
        return False
    e = int.from_bytes(sm3(za(curve, uid, pub) + msg), "big")
    t = (r + s) % n
    if t == 0:
        return False
    pt = curve.add(curve.mul(s, curve.g), curve.mul(t, pub))
    return (e + pt[0]) % n == r


EXAMPLE = Curve(
    0x8542D69E4C044F18E8B92435BF6FF7DE457283915C45517D722EDB8B08F1DFC3,
    0x787968B4FA32C3FD2417842E73BBFEFF2F3C848B6831D7E0EC65228B3937E498,
    0x63E4C6D3B23B0C849CF84241484BFE48F61D59A5B16BA06E6E12D1DA27C5249A,
    0x421DEBD61B62EAB6746434EBC3CC315E32220B3BADD50BDC4C4E6C147FEDD43D,
    0x0680512BCBB42C07D47349D2153B70C4E5D7FDFCBFA36EA1A85841B9E46E09A2,
    0x8542D69E4C044F18E8B92435BF6FF7DD297720630485628D5AE74EE7C32E79B7,
)
SM2P256 = Curve(
    0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF,
    0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFC,
    0x28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93,
    0x32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7,
    0xBC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0,
    0xFFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123,
)


def sign(curve: Curve, private: int, uid: bytes, msg: bytes) -> tuple[int, int]:
    pub = curve.mul(private, curve.g)
    e = int.from_bytes(sm3(za(curve, uid, pub) + msg), "big")
    n = curve.n
    while True:
        k = secrets.randbelow(n - 1) + 1
        x1 = curve.mul(k, curve.g)[0]
        r = (e + x1) % n
        if r == 0 or r + k == n:
            continue
        s = pow(1 + private, -1, n) * (k - r * private) % n
        if s:
            return r, s
