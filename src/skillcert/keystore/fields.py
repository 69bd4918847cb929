"""Personal data sealed at rest with SM4 (GB/T 39786-2021; 等保 2.0 level 3): full ID numbers
and phone numbers are stored as ``sm4:`` + base64url(SM4-SIV(value)), never in clear.

``SealedCharField`` seals in ``get_prep_value`` and opens in ``from_db_value``: the models, forms
and services keep reading and writing plain text. Sealing is deterministic (``DeterministicSealer``:
the synthetic IV is HMAC-SM3 of the value), so equal values seal equally and the lookups that
compare whole values keep working on the column's index: ``filter(id_number=x)``,
``filter(id_number__in=[...])``, ``exclude(...)``, ``isnull`` and unique constraints. Every other
lookup (``contains``, ``startswith``, ``iexact``, ``regex``, ``gt`` …) would compare ciphertexts
and silently find nothing: they raise ``FieldError`` instead. Ordering by a sealed column orders
by ciphertext (meaningless but harmless); no code does it.

``SealedKeysJSONField`` seals chosen keys of a JSON object the same way (the filing payload's
``basic.contact_phone``); a lookup on a sealed key (``basic__contact_phone=…``) raises
``FieldError``. Raw SQL reads the sealed text: open it with ``open_value``. Only values read
from the database are opened: text given to a field (a form, an attribute) is sealed as given,
even when it starts with ``sm4:``.

The keys are derived from the master key (``derived_key("personal-data-enc-v1", 16)`` and
``derived_key("personal-data-mac-v1")``); changing the master key means re-sealing every value
(``skillcert reseal`` is not built: decrypt under the old key and save under the new one).
A value that does not open (another master key, an altered value) raises
``SealedValueUnreadable``: a ``KeyUnavailable`` (503 ``signing_key_missing``, in Chinese).
Values without the prefix (rows written before migration ``seal_personal_data``) are read as
they are; the data migrations seal them.
"""

from __future__ import annotations

import base64
import binascii
import hmac as std_hmac
import threading
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core import validators
from django.core.exceptions import FieldError
from django.db import models

from skillcert.keystore.errors import KeyUnavailable
from skillcert.keystore.master import derived_key
from skillcert.keystore.sm import IV_BYTES, DeterministicSealer, SealBroken
from skillcert.rules.disclosure import mask_phone

PREFIX = "sm4:"
ENC_LABEL = "personal-data-enc-v1"
MAC_LABEL = "personal-data-mac-v1"
ALLOWED_LOOKUPS = frozenset({"exact", "in", "isnull"})
# The longest plain text in UTF-8 bytes per character (ID and phone numbers are ASCII; names
# in a free-text contact field are Chinese: 3 bytes each).
_BYTES_PER_CHARACTER = 3


class SealedValueUnreadable(KeyUnavailable, SealBroken):
    """A sealed value that does not open: a master key other than the one it was sealed under
    (or an altered value). Answered like the signing keys' refusal (503,
    ``signing_key_missing``), in Chinese, never as a server error."""


UNREADABLE = (
    "主密钥无法解开签名密钥和加密保存的个人信息（SM4）：请确认本服务器的主密钥"
    "（SKILLCERT_MASTER_KEY）与数据库一致"
)


def sealer() -> DeterministicSealer:
    """The personal-data sealer under the current master key (the reference construction)."""
    return DeterministicSealer(enc_key=derived_key(ENC_LABEL, 16), mac_key=derived_key(MAC_LABEL))


class _FastSealer(threading.local):
    """``DeterministicSealer`` with its key schedules kept (the same bytes, tested): one HMAC-SM3
    keyed once and copied per value, one SM4-ECB context making the CTR key stream. Deriving
    the keys and setting up the contexts cost ~4x the sealing itself on every value otherwise.
    One per thread (OpenSSL contexts are not shared between threads)."""

    def __init__(self, enc_key: bytes, mac_key: bytes) -> None:
        DeterministicSealer(enc_key=enc_key, mac_key=mac_key)  # the same key checks
        self._mac = crypto_hmac.HMAC(mac_key, hashes.SM3())
        self._ecb = Cipher(algorithms.SM4(enc_key), modes.ECB()).encryptor()  # noqa: S305

    def _iv(self, plaintext: bytes) -> bytes:
        mac = self._mac.copy()
        mac.update(plaintext)
        return mac.finalize()[:IV_BYTES]

    def _ctr(self, iv: bytes, data: bytes) -> bytes:
        counter = int.from_bytes(iv, "big")
        blocks = b"".join(
            ((counter + i) % _BLOCKS).to_bytes(IV_BYTES, "big")
            for i in range(-(-len(data) // IV_BYTES))
        )
        stream = self._ecb.update(blocks)[: len(data)]
        return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(
            len(data), "big"
        )

    def seal(self, plaintext: bytes) -> bytes:
        iv = self._iv(plaintext)
        return iv + self._ctr(iv, plaintext)

    def open(self, sealed: bytes) -> bytes:
        if len(sealed) < IV_BYTES:
            raise SealBroken("sealed value too short")
        iv, body = sealed[:IV_BYTES], sealed[IV_BYTES:]
        plaintext = self._ctr(iv, body)
        if not std_hmac.compare_digest(self._iv(plaintext), iv):
            raise SealBroken("sealed value does not open under this key")
        return plaintext


_BLOCKS = 1 << 128
_SEALERS: dict[tuple[Any, ...], _FastSealer] = {}


def _sealer() -> _FastSealer:
    """The fast sealer for the configured master key (settings read, keys derived once)."""
    source = (
        getattr(settings, "SKILLCERT_MASTER_KEY", ""),
        getattr(settings, "SKILLCERT_MASTER_KEY_FILE", ""),
        settings.DATA_DIR,
    )
    found = _SEALERS.get(source)
    if found is None:
        if len(_SEALERS) > 16:  # tests switch settings often
            _SEALERS.clear()
        found = _SEALERS[source] = _FastSealer(derived_key(ENC_LABEL, 16), derived_key(MAC_LABEL))
    return found


def is_sealed(text: object) -> bool:
    return isinstance(text, str) and text.startswith(PREFIX)


def seal_value(plain: str) -> str:
    """``sm4:`` + base64url (no padding) of SM4-SIV(plain); "" stays "" (nothing to hide)."""
    if plain == "":
        return plain
    # Text that merely looks sealed ("sm4:…" typed into a contact field) is sealed too: every
    # non-empty value is, so whatever is read back opens.
    sealed = _sealer().seal(plain.encode("utf-8"))
    return PREFIX + base64.urlsafe_b64encode(sealed).rstrip(b"=").decode("ascii")


def open_value(text: str | None) -> str | None:
    """The plain text of a sealed value; unsealed text (legacy rows) and None as they are."""
    if text is None or not is_sealed(text):
        return text
    body = text[len(PREFIX) :]
    try:
        raw = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        return _sealer().open(raw).decode("utf-8")
    except (binascii.Error, ValueError) as exc:  # SealBroken is a ValueError
        raise SealedValueUnreadable(UNREADABLE) from exc


def sealed_length(plain_characters: int) -> int:
    """The column width that holds a sealed value of up to ``plain_characters`` characters."""
    raw = IV_BYTES + plain_characters * _BYTES_PER_CHARACTER
    return len(PREFIX) + -(-raw * 4 // 3)


def _refuse(field: models.Field, lookup_name: str) -> FieldError:
    return FieldError(
        f"{field.model.__name__}.{field.name} is sealed (SM4): only exact, in and isnull "
        f"lookups work on it, not {lookup_name!r}"
    )


class SealedCharField(models.CharField):
    """A CharField stored sealed (SM4-SIV). ``max_length`` is the plain text's; the column is
    wide enough for its sealed form. ``mask`` ("id" or "phone") is how audit snapshots show it."""

    description = "Text sealed with SM4 (exact lookups only)"

    def __init__(self, *args: Any, max_length: int = 30, mask: str = "id", **kwargs: Any) -> None:
        self.plain_max_length = max_length
        self.mask = mask
        kwargs["max_length"] = sealed_length(max_length)  # the column: the sealed form
        super().__init__(*args, **kwargs)
        self.validators[:] = [
            v for v in self.validators if not isinstance(v, validators.MaxLengthValidator)
        ]
        self.validators.append(validators.MaxLengthValidator(max_length))

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["max_length"] = self.plain_max_length
        if self.mask != "id":
            kwargs["mask"] = self.mask
        return name, path, args, kwargs

    def masked(self, value: str | None) -> str:
        """What an audit record keeps of the value (the pages show the same)."""
        if not value:
            return value or ""
        if self.mask == "phone":
            return mask_phone(value)
        if self.mask == "hidden":
            return "（已隐去）"
        from skillcert.rules.idtypes import mask_id_number

        return mask_id_number(value)

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name not in ALLOWED_LOOKUPS:
            raise _refuse(self, lookup_name)
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> Any:
        raise _refuse(self, lookup_name)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return open_value(value)

    # ``to_python`` stays CharField's: it never opens a value. Values from the database are
    # opened in ``from_db_value``; anything else (a form, a fixture, an attribute) is plain text
    # as typed, even when it starts with "sm4:" (opening it would decrypt a leaked ciphertext
    # typed into a field, or refuse "sm4:hello" as a wrong master key).

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return seal_value(str(value))


class SealedKeysJSONField(models.JSONField):
    """A JSON object whose ``sealed_keys`` are stored sealed (the rest stays queryable)."""

    def __init__(self, *args: Any, sealed_keys: tuple[str, ...] = (), **kwargs: Any) -> None:
        self.sealed_keys = tuple(sealed_keys)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["sealed_keys"] = self.sealed_keys
        return name, path, args, kwargs

    def _map(self, value: Any, convert: Any) -> Any:
        if not isinstance(value, dict) or not any(key in value for key in self.sealed_keys):
            return value
        return {
            key: convert(item) if key in self.sealed_keys and isinstance(item, str) else item
            for key, item in value.items()
        }

    def get_transform(self, name: str) -> Any:
        """``basic__contact_phone=…`` would compare the typed text with a ciphertext and silently
        find nothing: refused like the sealed columns' lookups."""
        if name in self.sealed_keys:
            raise FieldError(
                f"{self.model.__name__}.{self.name}[{name!r}] is sealed (SM4): it cannot be "
                "queried; filter on another key or open the values in Python"
            )
        return super().get_transform(name)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        value = super().from_db_value(value, expression, connection)
        if is_sealed(value):  # a sealed key read on its own (raw expressions)
            return open_value(value)
        return self._map(value, open_value)

    def get_prep_value(self, value: Any) -> Any:
        return super().get_prep_value(self._map(value, seal_value))

    def masked(self, value: Any) -> Any:
        return self._map(value, mask_phone)


# --- data migrations: seal the rows written before the fields were sealed (and back) -------
CHUNK = 1000


def _chunks(model: Any, field_names: tuple[str, ...]) -> Any:
    """The rows of ``model`` (only pk and ``field_names``), in pk order, CHUNK at a time."""
    last = None
    while True:
        rows = model._default_manager.order_by("pk")
        if last is not None:
            rows = rows.filter(pk__gt=last)
        chunk = list(rows.only("pk", *field_names)[:CHUNK])
        if not chunk:
            return
        yield chunk
        last = chunk[-1].pk


def seal_rows(model: Any, *field_names: str) -> int:
    """Seal every value of ``field_names`` of ``model`` (a migration's historical model, whose
    fields are the sealed ones): each row is read (legacy plain text passes through, sealed
    text opens) and written back sealed. Idempotent; CHUNK rows a statement (SQLite and
    PostgreSQL alike). Returns the number of rows rewritten."""
    count = 0
    for chunk in _chunks(model, field_names):
        model._default_manager.bulk_update(chunk, list(field_names))
        count += len(chunk)
    return count


def unseal_rows(model: Any, *field_names: str) -> int:
    """The reverse: write the plain text back (before the column narrows again)."""
    count = 0
    for chunk in _chunks(model, field_names):
        for row in chunk:
            values = {}
            for name in field_names:
                field = model._meta.get_field(name)
                value = getattr(row, name)
                if isinstance(field, SealedKeysJSONField):
                    values[name] = models.Value(value, output_field=models.JSONField())
                elif isinstance(value, str):
                    values[name] = models.Value(value, output_field=models.CharField())
            if values:
                model._default_manager.filter(pk=row.pk).update(**values)
        count += len(chunk)
    return count


def sealing_migration(app_label: str, fields: dict[str, tuple[str, ...]]) -> Any:
    """A ``RunPython`` operation sealing ``{model_name: (field, …)}`` of an app, reversible."""
    from django.db import migrations

    def forward(apps: Any, schema_editor: Any) -> None:
        for model_name, names in fields.items():
            seal_rows(apps.get_model(app_label, model_name), *names)

    def backward(apps: Any, schema_editor: Any) -> None:
        for model_name, names in fields.items():
            unseal_rows(apps.get_model(app_label, model_name), *names)

    return migrations.RunPython(forward, backward, elidable=False)
