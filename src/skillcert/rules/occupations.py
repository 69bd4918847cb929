"""Occupations (职业) and access-type qualifications (准入类职业资格) as reference data.

The notice names the 2015 national occupational classification; the data shipped here is the
2022 edition, so every code travels with its edition, and names serve as a fallback where codes
moved. New occupations (新职业) published by the ministry are marked on the catalog, and those
not (yet) in the 2022 edition are added by name. Organizations may not file for access-type
qualifications (一 备案条件 2).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from pypinyin import Style, pinyin

from skillcert.rules.errors import InvalidInput

DATA_DIR = Path(__file__).parent / "data"
OCCUPATIONS_2022_FILE = DATA_DIR / "occupations_2022.csv"
NEW_OCCUPATIONS_FILE = DATA_DIR / "new_occupations_2019_2025.json"
ACCESS_QUALIFICATIONS_FILE = DATA_DIR / "access_qualifications_2021.csv"

EDITION_2022 = "2022"
EDITION_NEW = "new"  # a new occupation not found in the 2022 edition: known by name only

_CODE = re.compile(r"[0-9]-[0-9]{2}-[0-9]{2}-[0-9]{2}")
# A query typed as pinyin initials ("yyy" for 育婴员): Latin letters, digits allowed ("3d").
_INITIALS_QUERY = re.compile(r"[a-z0-9]*[a-z][a-z0-9]*")


@dataclass(frozen=True)
class Occupation:
    """An occupation of the catalog with its edition, groups and markers."""

    edition: str
    code: str | None
    name: str
    major: str
    middle: str
    minor: str
    minor_name: str
    digital: bool
    green: bool
    new_occupation: bool = False
    new_batch: int | None = None
    new_document_no: str = ""
    access_type: bool = False


@dataclass(frozen=True)
class NewOccupation:
    """A new occupation (新职业) published by the ministry, with its 2022 code when it has one."""

    batch: int
    published: dt.date
    document_no: str
    name: str
    code_2022: str | None
    published_note: str = ""  # remark after the date in the data, e.g. "(公示; 纳入2022大典)"


@dataclass(frozen=True)
class AccessQualification:
    """An access-type skill qualification of the 2021 national catalog (not certifiable here)."""

    name: str
    code_2022: str | None
    authority: str
    note: str


def parse_occupation_code(text: str, field: str = "occupation_code") -> str:
    """Check an occupation code of the form 6-18-02-04 (spaces around it forgiven)."""
    value = text.strip()
    if not _CODE.fullmatch(value):
        raise InvalidInput.for_field(
            field, f"职业编码格式错误：应为“6-18-02-04”这样的格式，收到的是“{value}”"
        )
    return value


def normalize_name(name: str) -> str:
    """A name for comparison: whitespace removed, full-width parentheses and commas made ASCII."""
    return "".join(name.split()).replace("（", "(").replace("）", ")")


@lru_cache(maxsize=8192)
def pinyin_initials(name: str) -> tuple[str, ...]:
    """The first letters of a name's pinyin, one string per character holding every reading
    of a polyphone: 调酒师 → ("dt", "j", "s") (调 is tiáo or diào). Latin letters and digits
    stand for themselves in lower case ("3D打印" starts "3", "d", "d"); other signs are left out.

    Cached per name, so each occupation's name is read once per process.
    """
    letters: list[str] = []
    for char in normalize_name(name):
        if char.isascii():
            if char.isalnum():
                letters.append(char.lower())
            continue
        # Each character alone, so that every reading counts (a phrase would pick one).
        readings = pinyin(char, style=Style.FIRST_LETTER, heteronym=True)[0]
        found = "".join(sorted({r.lower() for r in readings if r.isascii() and r.isalpha()}))
        if found:
            letters.append(found)
    return tuple(letters)


def initials_position(query: str, initials: tuple[str, ...]) -> int | None:
    """Where ``query`` (lower-case letters) runs along ``initials``, or None: 0 when the name
    starts with it ("yy" for 育婴员), the character it starts at for a part inside ("hly" for
    养老护理员: 2)."""
    size = len(query)
    for start in range(len(initials) - size + 1):
        if all(query[offset] in initials[start + offset] for offset in range(size)):
            return start
    return None


# --- loading -----------------------------------------------------------------------------


def load_occupations_2022(path: str | Path | None = None) -> list[Occupation]:
    """The 2022 classification from its CSV (columns code, name, major, middle, minor,
    minor_name, digital_S, green_L)."""
    occupations: list[Occupation] = []
    with Path(path or OCCUPATIONS_2022_FILE).open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            occupations.append(
                Occupation(
                    edition=EDITION_2022,
                    code=parse_occupation_code(row["code"]),
                    name=row["name"].strip(),
                    major=row["major"].strip(),
                    middle=row["middle"].strip(),
                    minor=row["minor"].strip(),
                    minor_name=row["minor_name"].strip(),
                    digital=_flag(row["digital_S"]),
                    green=_flag(row["green_L"]),
                )
            )
    return occupations


def load_new_occupations(path: str | Path | None = None) -> list[NewOccupation]:
    """The ministry's new occupations from their JSON file (``rows`` with batch, published,
    document_no, name and code_2022_dadian)."""
    raw = json.loads(Path(path or NEW_OCCUPATIONS_FILE).read_text(encoding="utf-8"))
    result: list[NewOccupation] = []
    for row in raw["rows"]:
        code = row.get("code_2022_dadian")
        published, note = _split_published(str(row["published"]))
        document_no = str(row.get("document_no") or "").strip()
        result.append(
            NewOccupation(
                batch=int(row["batch"]),
                published=published,
                # A lone dash in the data means "no document number" (batch 5 was a 公示).
                document_no="" if document_no in _NO_DOCUMENT else document_no,
                name=str(row["name"]).strip(),
                code_2022=parse_occupation_code(code) if code else None,
                published_note=note,
            )
        )
    return result


def load_access_qualifications(path: str | Path | None = None) -> list[AccessQualification]:
    """The access-type qualifications from their CSV (name, code_2022, authority, note)."""
    result: list[AccessQualification] = []
    path = Path(path or ACCESS_QUALIFICATIONS_FILE)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            code = (row.get("code_2022") or "").strip()
            result.append(
                AccessQualification(
                    name=row["name"].strip(),
                    code_2022=parse_occupation_code(code) if code else None,
                    authority=(row.get("authority") or "").strip(),
                    note=(row.get("note") or "").strip(),
                )
            )
    return result


def build_catalog(
    occupations: Iterable[Occupation],
    new_occupations: Iterable[NewOccupation],
    access: Iterable[AccessQualification],
) -> list[Occupation]:
    """The catalog: 2022 occupations marked as new or access-type, plus name-only new ones.

    A 2022 occupation is new when a new occupation carries its code, or has no code and the
    same name; it is access-type when an access qualification carries its code or its exact
    name. Each new occupation that matches no 2022 occupation is added with edition "new" and
    no code, so that it can be found by name. When a code or name was published twice, the
    earliest batch is the one recorded.
    """
    original = list(new_occupations)
    new_list = sorted(original, key=_newest_first)
    access_list = list(access)
    new_by_code = {n.code_2022: n for n in new_list if n.code_2022}
    new_by_name = {normalize_name(n.name): n for n in new_list if not n.code_2022}
    matched_codes: set[str] = set()
    matched_names: set[str] = set()
    catalog: list[Occupation] = []
    for occupation in occupations:
        name_key = normalize_name(occupation.name)
        new = new_by_code.get(occupation.code or "") or new_by_name.get(name_key)
        if new is not None:
            matched_codes.add(occupation.code or "")
            matched_names.add(name_key)
            occupation = replace(
                occupation,
                new_occupation=True,
                new_batch=new.batch,
                new_document_no=new.document_no,
            )
        if _access_by_code_or_exact_name(access_list, occupation.name, occupation.code):
            occupation = replace(occupation, access_type=True)
        catalog.append(occupation)
    extras: dict[str, Occupation] = {}
    # Oldest batch first (a stable sort keeps the data's order within a batch); the first
    # entry for a name wins.
    for new in sorted(original, key=lambda n: n.batch):
        name_key = normalize_name(new.name)
        if (new.code_2022 or "") in matched_codes or name_key in matched_names:
            continue
        if name_key in extras:
            continue
        extras[name_key] = Occupation(
            edition=EDITION_NEW,
            code=None,
            name=new.name,
            major="",
            middle="",
            minor="",
            minor_name="",
            digital=False,
            green=False,
            new_occupation=True,
            new_batch=new.batch,
            new_document_no=new.document_no,
            access_type=_access_by_code_or_exact_name(access_list, new.name, None) is not None,
        )
    return catalog + list(extras.values())


# --- lookups -----------------------------------------------------------------------------


class OccupationIndex:
    """Lookups over a catalog: by code, by name, autocomplete, and the access-type check."""

    def __init__(
        self,
        occupations: Iterable[Occupation],
        access: Iterable[AccessQualification] = (),
    ) -> None:
        self._occupations: tuple[Occupation, ...] = tuple(occupations)
        self._access: tuple[AccessQualification, ...] = tuple(access)
        self._by_code: dict[tuple[str, str], Occupation] = {
            (o.edition, o.code): o for o in self._occupations if o.code
        }
        self._by_name: dict[str, list[Occupation]] = {}
        for occupation in self._occupations:
            self._by_name.setdefault(normalize_name(occupation.name), []).append(occupation)
        self._access_keys: tuple[tuple[AccessQualification, frozenset[str]], ...] = tuple(
            (a, _access_name_keys(a.name)) for a in self._access
        )

    @classmethod
    def default(cls) -> OccupationIndex:
        """The index over the reference data shipped with the package."""
        access = load_access_qualifications()
        catalog = build_catalog(load_occupations_2022(), load_new_occupations(), access)
        return cls(catalog, access)

    @property
    def occupations(self) -> tuple[Occupation, ...]:
        """Every occupation of the index, in catalog order."""
        return self._occupations

    def by_code(self, code: str, edition: str = EDITION_2022) -> Occupation | None:
        """The occupation with this code in this edition, or None."""
        return self._by_code.get((edition, code.strip()))

    def by_name(self, name: str) -> list[Occupation]:
        """The occupations with exactly this name (whitespace and parenthesis width ignored)."""
        return list(self._by_name.get(normalize_name(name), []))

    def search(self, text: str, limit: int = 20) -> list[Occupation]:
        """Occupations for autocomplete: code prefix matches, then names (exact, starting
        with, containing the text anywhere), then names whose pinyin initials start with or
        contain the text when it is typed in Latin letters ("yyy" finds 育婴员)."""
        query = normalize_name(text)
        if not query or limit < 1:
            return []
        letters = query.lower() if _INITIALS_QUERY.fullmatch(query.lower()) else ""
        # Rank 0-5: code prefix, exact name, name prefix, name substring, initials prefix,
        # initials inside; catalog order within a rank.
        ranked: list[tuple[int, int, Occupation]] = []
        for position, occupation in enumerate(self._occupations):
            name = normalize_name(occupation.name)
            if occupation.code and occupation.code.startswith(query):
                rank = 0
            elif name == query:
                rank = 1
            elif name.startswith(query):
                rank = 2
            elif query in name:
                rank = 3
            elif letters and (at := self._initials_at(letters, occupation.name)) is not None:
                rank = 4 if at == 0 else 5
            else:
                continue
            ranked.append((rank, position, occupation))
        ranked.sort(key=lambda item: (item[0], item[1]))
        return [occupation for _, _, occupation in ranked[:limit]]

    @staticmethod
    def _initials_at(letters: str, name: str) -> int | None:
        return initials_position(letters, pinyin_initials(name))

    def is_access_type(self, name: str, code: str | None) -> AccessQualification | None:
        """The access-type qualification an occupation falls under, or None.

        Matches on the 2022 code, on the exact name, or when the name contains the name of an
        access qualification ("保安员（初级）" contains "保安员"). Never the other way round:
        "焊工" is contained in "民用核安全设备焊工、焊接操作工" but ordinary welders are
        certifiable; only the nuclear-safety ones are access-type.
        """
        if code:
            for qualification in self._access:
                if qualification.code_2022 == code.strip():
                    return qualification
        wanted = normalize_name(name)
        if not wanted:
            return None
        for qualification, keys in self._access_keys:
            if wanted in keys:
                return qualification
        for qualification, keys in self._access_keys:
            if any(key in wanted for key in keys):
                return qualification
        return None


def _access_name_keys(name: str) -> frozenset[str]:
    """The names an access qualification is known by.

    An entry like "民用核安全设备焊工、焊接操作工" lists two trades under one qualifier; the
    later part leaves the qualifier implicit, so it is grafted back on ("民用核安全设备焊接操作工")
    rather than letting a bare "焊接操作工" match.
    """
    full = normalize_name(name)
    keys = {full}
    parts = [part for part in full.split("、") if part]
    if len(parts) > 1:
        head = parts[0]
        keys.add(head)
        for part in parts[1:]:
            cut = head.rfind(part[0])
            keys.add(head[:cut] + part if cut > 0 else part)
    return frozenset(keys)


def _access_by_code_or_exact_name(
    access: Iterable[AccessQualification], name: str, code: str | None
) -> AccessQualification | None:
    wanted = normalize_name(name)
    for qualification in access:
        if code and qualification.code_2022 == code:
            return qualification
        if wanted in _access_name_keys(qualification.name):
            return qualification
    return None


def _newest_first(new: NewOccupation) -> int:
    # Filling a dict newest first lets older entries overwrite newer ones: the earliest batch
    # wins when a name or code was published twice.
    return -new.batch


_NO_DOCUMENT = frozenset({"", "-", "—", "——"})
_PUBLISHED = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})\s*(.*)")


def _split_published(value: str) -> tuple[dt.date, str]:
    # Some rows carry a remark after the date ("2022-06-14 (公示; 纳入2022大典)").
    match = _PUBLISHED.fullmatch(value.strip())
    if match is None:
        raise ValueError(f"new occupation: bad published date {value!r}")
    return dt.date.fromisoformat(match.group(1)), match.group(2).strip()


def _flag(value: str) -> bool:
    cleaned = value.strip()
    if cleaned not in ("0", "1"):
        raise ValueError(f"occupation marker should be 0 or 1, got {value!r}")
    return cleaned == "1"
