"""One function per role: a signed-in user, with an API client and a page client.

Each function returns a :class:`Persona`::

    bureau = city_officer("01")            # 合肥 bureau (the reviewer of city 01)
    bureau.api.get("/api/v1/filings")      # Bearer token
    bureau.web.get("/review/filings")      # session (force_login)
    org = organization_user(state="in_pilot", city="01")
    org.organization                       # its Organization, filed in 合肥
    anonymous().api.get(...)               # the public

The users are made with the helpers of ``tests/conftest.py`` (``_officer`` and
``_organization_user``, password ``PASSWORD``); the authorities are loaded when missing, so
only the ``db`` fixture is needed. Usernames are numbered so any number of personas of the
same role may coexist; pass ``username=`` to choose one.

The conftest fixtures (``org_user``, ``city_bureau`` …) stay the short way to get the
standard cast; :func:`cast` returns the same cast (without fixtures) as personas.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

from django.test import Client
from rest_framework.test import APIClient

from skillcert.accounts.models import Authority, User
from skillcert.accounts.services import issue_token, load_authorities
from skillcert.audit.service import SYSTEM
from tests.conftest import PASSWORD, _officer, _organization_user

__all__ = [
    "PASSWORD",
    "Persona",
    "anonymous",
    "api_client",
    "api_clients",
    "cast",
    "center_officer",
    "city_officer",
    "ensure_authorities",
    "inspector",
    "organization_user",
    "province_officer",
    "unrelated_organization_user",
    "web_client",
]

_serial = itertools.count(1)


def ensure_authorities() -> None:
    """The province (``province``/00) and the 16 cities (``01`` …), once per test."""
    if not Authority.objects.filter(kind="city").exists():
        load_authorities(actor=SYSTEM)


def api_client(user: User | None) -> APIClient:
    """An API client sending ``user``'s Bearer token (the public's when ``user`` is None)."""
    client = APIClient()
    if user is not None:
        token, _expiry = issue_token(user)
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def api_clients(users: dict[str, User | None]) -> dict[str, APIClient]:
    """``{persona name: user or None}`` → ``{persona name: API client}``."""
    return {name: api_client(user) for name, user in users.items()}


def web_client(user: User | None = None) -> Client:
    """A page client signed in as ``user`` (session), or anonymous."""
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@dataclass
class Persona:
    """A user (None: the public) and its clients, made on first use."""

    user: User | None
    _api: APIClient | None = field(default=None, repr=False)
    _web: Client | None = field(default=None, repr=False)

    @property
    def api(self) -> APIClient:
        if self._api is None:
            self._api = api_client(self.user)
        return self._api

    @property
    def web(self) -> Client:
        if self._web is None:
            self._web = web_client(self.user)
        return self._web

    @property
    def organization(self) -> Any:
        """The organization an organization user acts for."""
        assert self.user is not None, "the public has no organization"
        return self.user.membership.organization

    @property
    def username(self) -> str | None:
        return None if self.user is None else self.user.username


def _name(prefix: str, username: str | None) -> str:
    return username or f"{prefix}_{next(_serial)}"


def anonymous() -> Persona:
    """The public: nobody signed in."""
    return Persona(None)


def province_officer(role: str = "province_dept", *, username: str | None = None) -> Persona:
    """An officer of the province: ``province_dept`` (default), ``province_center`` or
    ``admin``."""
    ensure_authorities()
    return Persona(_officer(_name(f"p_{role}", username), role, "province"))


def city_officer(
    city: str = "01", role: str = "city_bureau", *, username: str | None = None
) -> Persona:
    """An officer of a city (``01`` 合肥, ``02`` 芜湖 …): its bureau (the reviewer of the
    city's filings) by default, or ``role="city_center"``."""
    ensure_authorities()
    return Persona(_officer(_name(f"c{city}_{role}", username), role, city))


def center_officer(city: str = "01", *, username: str | None = None) -> Persona:
    """An appraisal center's officer: of a city, or of the province (``city="province"``)."""
    if city == "province":
        return province_officer("province_center", username=username)
    return city_officer(city, "city_center", username=username)


def inspector(city: str = "01", *, username: str | None = None, display_name: str = "") -> Persona:
    """An inspector of a city (or ``city="province"``)."""
    ensure_authorities()
    user = _officer(_name(f"insp{city}", username), "inspector", city)
    if display_name:
        User.objects.filter(pk=user.pk).update(display_name=display_name)
        user.refresh_from_db()
    return Persona(user)


def organization_user(
    state: str = "applying",
    *,
    city: str = "01",
    name: str | None = None,
    username: str | None = None,
    **traits: Any,
) -> Persona:
    """A user of an organization registered in ``city``, brought into ``state`` (an
    :class:`~tests.support.factories.OrganizationFactory` state: ``applying`` as registered,
    ``in_pilot``/``active`` filed by ``city``, ``pilot_failed``, ``revoked``, ``expired``)."""
    from tests.support.factories import OrganizationFactory

    ensure_authorities()
    serial = next(_serial)
    user = _organization_user(
        username or f"org{city}_{serial}",
        name or f"测试培训学校{city}{serial:04d}",
        Authority.objects.get(code=city).division[:4] + "04",
        f"TP{serial:06d}",
    )
    organization = user.membership.organization
    if state != "applying" or traits:
        OrganizationFactory.into(organization, state=state, city=city, **traits)
    user.refresh_from_db()
    return Persona(user)


def unrelated_organization_user(state: str = "applying", *, city: str = "02") -> Persona:
    """A user of another organization, registered in another city (芜湖 by default)."""
    return organization_user(state, city=city)


# The standard cast of the permission tables (the conftest personas), by their table names.
CAST = (
    "applicant",
    "other_org",
    "bureau",
    "center",
    "other_bureau",
    "dept",
    "pcenter",
    "inspector",
    "admin",
    "public",
)


def cast(organization_state: str = "applying") -> dict[str, Persona]:
    """The standard cast as personas: the 合肥 applicant (in ``organization_state``), a 芜湖
    organization, 合肥's bureau and center, 芜湖's bureau, the province department and center,
    a 合肥 inspector, the administrator and the public."""
    return {
        "applicant": organization_user(organization_state, city="01"),
        "other_org": unrelated_organization_user(city="02"),
        "bureau": city_officer("01"),
        "center": center_officer("01"),
        "other_bureau": city_officer("02"),
        "dept": province_officer(),
        "pcenter": center_officer("province"),
        "inspector": inspector("01"),
        "admin": province_officer("admin"),
        "public": anonymous(),
    }
