"""Personal data sealed at rest (SM4): ID numbers and phone numbers never reach a column in
clear, exact lookups still work, every other lookup is refused, the data migrations seal the
rows already there, and the audit record keeps only masked values."""

from __future__ import annotations

import base64
import importlib

import pytest
from django.apps import apps as global_apps
from django.core.exceptions import FieldError
from django.db import IntegrityError, connection, models, transaction

from skillcert.assessment.models import Candidate, StaffMember
from skillcert.audit.models import AuditEntry
from skillcert.keystore.errors import KeyUnavailable
from skillcert.keystore.fields import (
    PREFIX,
    SealedCharField,
    open_value,
    seal_rows,
    seal_value,
    sealed_length,
    unseal_rows,
)
from skillcert.keystore.sm import SealBroken
from skillcert.registry.models import FilingCase, Organization
from tests.assessment.factories import batch_in, filed_organization

ID = "34010419900101123X"


@pytest.fixture(autouse=True)
def _catalog(request):
    """The model tests file plans, which need the occupation catalog."""
    if "db" in request.fixturenames or any(
        name in request.fixturenames for name in ("batch", "org_user")
    ):
        request.getfixturevalue("occupation_catalog")


def _raw(model: type[models.Model], column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column} FROM {model._meta.db_table} WHERE id = %s",
            [pk],
        )
        return cursor.fetchone()[0]


# --- the sealing itself ----------------------------------------------------------------------


def test_sealing_round_trips_and_is_deterministic(master):
    sealed = seal_value(ID)
    assert sealed.startswith(PREFIX)
    assert ID not in sealed
    assert open_value(sealed) == ID
    assert seal_value(ID) == sealed  # equal values seal equally: exact lookups work
    assert seal_value(ID[:-1] + "8") != sealed
    assert len(sealed) <= sealed_length(30)
    assert seal_value("") == ""  # nothing to hide
    assert open_value(None) is None
    assert open_value("legacy plain") == "legacy plain"  # rows before the migration
    assert open_value(seal_value("张三 13800001234")) == "张三 13800001234"
    # Text that looks sealed is sealed like any other (it reads back as typed).
    assert open_value(seal_value("sm4:AAAA")) == "sm4:AAAA"


@pytest.mark.parametrize("plain", ["x", "0" * 16, ID, "张" * 30, "1" * 33, "+86 138-0000-1234"])
def test_the_fields_sealer_gives_the_bytes_of_the_reference_construction(master, plain):
    """keystore.fields keeps its key schedules; the bytes are DeterministicSealer's (SM4-SIV)."""
    from skillcert.keystore.fields import sealer

    reference = sealer().seal(plain.encode())
    body = seal_value(plain)[len(PREFIX) :]
    assert base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)) == reference
    assert sealer().open(reference) == plain.encode()


def test_a_sealed_value_does_not_open_under_another_master_key(master, settings):
    sealed = seal_value(ID)
    settings.SKILLCERT_MASTER_KEY = "22" * 32
    with pytest.raises(SealBroken) as refused:
        open_value(sealed)
    # Answered like the signing keys' refusal: 503 signing_key_missing, in Chinese.
    assert isinstance(refused.value, KeyUnavailable)
    assert refused.value.status == 503 and "主密钥无法解开" in refused.value.message
    assert seal_value(ID) != sealed


def test_a_tampered_value_is_refused(master):
    sealed = seal_value(ID)
    body = sealed[len(PREFIX) :]
    flipped = PREFIX + ("A" if body[0] != "A" else "B") + body[1:]
    with pytest.raises(SealBroken):
        open_value(flipped)


def test_the_column_fits_the_longest_plain_value(master):
    field = SealedCharField(max_length=30)
    assert field.max_length == sealed_length(30)
    assert len(seal_value("9" * 30)) <= field.max_length
    assert len(seal_value("张" * 30)) <= field.max_length
    # The form and model validation still limit the plain text.
    with pytest.raises(Exception, match="30"):
        field.clean("9" * 31, None)
    assert field.deconstruct()[3]["max_length"] == 30


def test_phone_fields_mask_as_the_pages_do():
    field = SealedCharField(max_length=40, mask="phone")
    assert field.masked("13800001234") == "138****1234"
    assert field.masked("0551-62620000") == "0551-****0000"
    assert field.masked("") == ""
    assert SealedCharField(max_length=100, mask="hidden").masked("张三 13800001234") == "（已隐去）"
    assert SealedCharField(max_length=30).masked(ID) == "340***********123X"


# --- on the models -----------------------------------------------------------------------------


@pytest.fixture
def batch(org_user, city_bureau, today):
    organization = filed_organization(org_user, city_bureau, today)
    return batch_in("plan_filed", organization, org_user, today)


def test_id_numbers_are_stored_sealed_and_read_plain(batch):
    candidate = batch.candidates.first()
    raw = _raw(Candidate, "id_number", candidate.pk)
    assert raw.startswith(PREFIX) and candidate.id_number not in raw
    assert open_value(raw) == candidate.id_number
    staff = batch.staff.first()
    assert _raw(StaffMember, "id_number", staff.pk).startswith(PREFIX)
    assert StaffMember.objects.get(pk=staff.pk).id_number == staff.id_number
    assert len(staff.id_number) == 18


def test_exact_in_and_exclude_lookups_work_on_sealed_values(batch):
    candidates = list(batch.candidates.all())
    first, second = candidates[0], candidates[1]
    assert batch.candidates.get(id_number=first.id_number) == first
    found = set(batch.candidates.filter(id_number__in=[first.id_number, second.id_number]))
    assert found == {first, second}
    assert first not in batch.candidates.exclude(id_number=first.id_number)
    assert batch.candidates.exclude(id_number__in=[c.id_number for c in candidates]).count() == 0
    assert not batch.candidates.filter(id_number__isnull=True).exists()
    assert batch.candidates.filter(id_number="340104199001010000").count() == 0
    values = set(batch.candidates.values_list("id_number", flat=True))
    assert values == {c.id_number for c in candidates}
    # update() seals too
    batch.candidates.filter(pk=first.pk).update(id_number="110101199003074477")
    assert batch.candidates.get(pk=first.pk).id_number == "110101199003074477"
    assert _raw(Candidate, "id_number", first.pk).startswith(PREFIX)


@pytest.mark.parametrize(
    "lookup", ["contains", "icontains", "startswith", "endswith", "iexact", "regex", "gt", "lt"]
)
def test_lookups_that_cannot_work_on_sealed_values_are_refused(batch, lookup):
    with pytest.raises(FieldError, match="sealed"):
        list(batch.candidates.filter(**{f"id_number__{lookup}": "3401"}))


def test_a_transform_on_a_sealed_value_is_refused(batch):
    with pytest.raises(FieldError, match="sealed"):
        list(batch.candidates.filter(id_number__lower__exact="x"))


def test_typed_text_that_looks_sealed_is_sealed_as_given(master):
    """Text starting with "sm4:" typed into a field (the objection form's contact) is sealed,
    never opened: no false "wrong master key" refusal, no decryption of a leaked ciphertext."""
    field = Organization._meta.get_field("contact_phone")
    stored = field.get_prep_value("sm4:hello")  # opened it before: SealedValueUnreadable
    assert stored.startswith(PREFIX) and open_value(stored) == "sm4:hello"
    leaked = seal_value("13800001234")
    assert field.to_python(leaked) == leaked  # not decrypted
    sealed_again = field.get_prep_value(leaked)
    assert sealed_again != leaked and open_value(sealed_again) == leaked


def test_a_field_value_that_looks_sealed_reads_back_as_typed(org_user, city_bureau, today):
    organization = filed_organization(org_user, city_bureau, today)
    leaked = seal_value("13800001234")
    for typed in ("sm4:hello", leaked):
        organization.contact_phone = typed
        organization.full_clean(
            exclude=[f.name for f in Organization._meta.fields if f.name != "contact_phone"]
        )
        organization.save(update_fields=["contact_phone"])
        organization.refresh_from_db()
        assert organization.contact_phone == typed
        raw = _raw(Organization, "contact_phone", organization.pk)
        assert raw.startswith(PREFIX) and raw != typed and open_value(raw) == typed


def test_a_lookup_on_a_sealed_json_key_is_refused(org_user, city_bureau, today):
    filed_organization(org_user, city_bureau, today)
    with pytest.raises(FieldError, match="sealed"):
        list(FilingCase.objects.filter(basic__contact_phone="0551-62620000"))
    with pytest.raises(FieldError, match="sealed"):
        list(FilingCase.objects.filter(basic__contact_phone__contains="6262"))
    assert FilingCase.objects.filter(basic__name__isnull=False).exists()  # the rest: queryable


def test_a_candidate_stays_once_per_batch(batch):
    first = batch.candidates.first()
    with pytest.raises(IntegrityError), transaction.atomic():
        Candidate.objects.create(
            batch=batch,
            name="重复",
            id_type=first.id_type,
            id_number=first.id_number,
            city=first.city,
            occupation_code=first.occupation_code,
            occupation_name=first.occupation_name,
            level=first.level,
            source="社会人员",
        )


def test_phones_are_sealed_in_columns_and_in_the_filing_payload(org_user, city_bureau, today):
    organization = filed_organization(org_user, city_bureau, today)
    assert organization.contact_phone == "0551-62620000"
    assert _raw(Organization, "contact_phone", organization.pk).startswith(PREFIX)
    assert Organization.objects.filter(contact_phone="0551-62620000").exists()
    case = FilingCase.objects.filter(organization=organization).first()
    assert case.basic["contact_phone"] == "0551-62620000"
    raw_basic = _raw(FilingCase, "basic", case.pk)
    assert "62620000" not in raw_basic and PREFIX in raw_basic
    assert case.basic["name"] in raw_basic or "\\u" in raw_basic  # the rest stays plain JSON


def test_the_audit_record_holds_no_full_id_or_phone_number(org_user, city_bureau, today):
    organization = filed_organization(org_user, city_bureau, today)
    batch = batch_in("plan_filed", organization, org_user, today)
    from skillcert.assessment.services.implementation import record_attendance

    today("2026-11-02")
    absent = batch.candidates.first().id_number
    record_attendance(batch, {"absent": [absent]}, actor=org_user)
    texts = [f"{e.before} {e.after}" for e in AuditEntry.objects.all()]
    numbers = list(Candidate.objects.values_list("id_number", flat=True))
    numbers += list(StaffMember.objects.values_list("id_number", flat=True))
    for text in texts:
        for number in numbers:
            assert number not in text
        assert "62620000" not in text
    assert any("340***" in text for text in texts)  # masked, as the pages show them
    assert any("0551-****0000" in text for text in texts)


# --- the data migrations -----------------------------------------------------------------------


def _write_plain(model: type[models.Model], pk: int, **values: str) -> None:
    plain = {k: models.Value(v, output_field=models.CharField()) for k, v in values.items()}
    model.objects.filter(pk=pk).update(**plain)


def test_seal_rows_seals_the_rows_written_in_clear_and_unseal_rows_reverses(batch):
    candidates = list(batch.candidates.all())
    for candidate in candidates:
        _write_plain(Candidate, candidate.pk, id_number=candidate.id_number)
        assert _raw(Candidate, "id_number", candidate.pk) == candidate.id_number
    # Legacy rows read as they are; exact lookups need the migration.
    assert batch.candidates.get(pk=candidates[0].pk).id_number == candidates[0].id_number
    assert seal_rows(Candidate, "id_number") >= len(candidates)
    for candidate in candidates:
        assert _raw(Candidate, "id_number", candidate.pk) == seal_value(candidate.id_number)
        assert batch.candidates.get(id_number=candidate.id_number) == candidate
    seal_rows(Candidate, "id_number")  # idempotent
    assert _raw(Candidate, "id_number", candidates[0].pk) == seal_value(candidates[0].id_number)
    unseal_rows(Candidate, "id_number")
    assert _raw(Candidate, "id_number", candidates[0].pk) == candidates[0].id_number


@pytest.mark.parametrize(
    ("module", "model", "field"),
    [
        ("skillcert.assessment.migrations.0008_seal_personal_data", Candidate, "id_number"),
        ("skillcert.assessment.migrations.0008_seal_personal_data", StaffMember, "id_number"),
        ("skillcert.registry.migrations.0007_seal_personal_data", Organization, "contact_phone"),
    ],
)
def test_the_data_migration_seals_existing_rows_and_reverses(batch, module, model, field):
    migration = importlib.import_module(module).Migration
    operation = migration.operations[-1]
    row = model.objects.exclude(**{field: ""}).first()
    plain = getattr(row, field)
    _write_plain(model, row.pk, **{field: plain})
    operation.code(global_apps, None)
    assert _raw(model, field, row.pk) == seal_value(plain)
    operation.reverse_code(global_apps, None)
    assert _raw(model, field, row.pk) == plain
    operation.code(global_apps, None)
    assert model.objects.get(**{field: plain}).pk == row.pk


def test_the_certificates_data_migration_seals_certificates(
    org_user, city_bureau, province_center, today
):
    from skillcert.certificates.models import Certificate
    from tests.assessment.factories import issued

    organization = filed_organization(org_user, city_bureau, today)
    issued(organization, org_user, province_center, today)
    certificate = Certificate.objects.first()
    assert _raw(Certificate, "id_number", certificate.pk).startswith(PREFIX)
    _write_plain(Certificate, certificate.pk, id_number=certificate.id_number)
    module = "skillcert.certificates.migrations.0011_seal_personal_data"
    importlib.import_module(module).Migration.operations[-1].code(global_apps, None)
    assert _raw(Certificate, "id_number", certificate.pk) == seal_value(certificate.id_number)
    assert Certificate.objects.get(id_number=certificate.id_number) == certificate
