"""Shared test support: personas (who is signed in), the permission-matrix harness, and
factory_boy factories for the main models (``tests/support/README`` is this docstring).

- ``personas``: one function per role returning a :class:`~tests.support.personas.Persona`
  (a user with a Bearer-token API client and a signed-in page client).
- ``permissions``: persona × endpoint → expected status tables, run and reported at once.
- ``factories``: ``OrganizationFactory(state="in_pilot")``, ``FilingCaseFactory(state=
  "accepted")``, ``BatchFactory(state="in_publicity")``, ``CertificateFactory(state=
  "revoked")``, ``InspectionFactory(state="published")`` …
"""
