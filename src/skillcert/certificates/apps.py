from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "skillcert.certificates"
    label = "certificates"
    verbose_name = "职业技能等级证书"

    def ready(self) -> None:
        from skillcert.certificates import (
            counts,
            machines,  # noqa: F401  (binds the workflows)
        )

        counts.connect()  # model writes that change certificate counts
        from skillcert.certificates.national import filings

        filings.connect()  # filings and revocations reported to the ministry's center
