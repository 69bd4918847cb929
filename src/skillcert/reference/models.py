"""Reference data officers keep up to date: occupations, access-type qualifications, holidays."""

from __future__ import annotations

from django.db import models


class Occupation(models.Model):
    """An occupation of the national classification (职业分类大典) or a new occupation (新职业).

    Codes moved between editions, so the edition is part of the key; new occupations not
    (yet) in the classification have edition ``new`` and no code, and are found by name.
    """

    edition = models.CharField("版本", max_length=8)
    # NULL, not "": uncoded new occupations must not collide on (edition, code).
    code = models.CharField("职业编码", max_length=16, null=True, blank=True)  # noqa: DJ001
    name = models.CharField("职业名称", max_length=100, db_index=True)
    major = models.CharField("大类", max_length=4, blank=True)
    middle = models.CharField("中类", max_length=8, blank=True)
    minor = models.CharField("小类", max_length=12, blank=True)
    minor_name = models.CharField("小类名称", max_length=100, blank=True)
    digital = models.BooleanField("数字职业", default=False)
    green = models.BooleanField("绿色职业", default=False)
    new_occupation = models.BooleanField("新职业", default=False)
    new_batch = models.PositiveSmallIntegerField("新职业批次", null=True, blank=True)
    new_document_no = models.CharField("发布文号", max_length=40, blank=True)
    access_type = models.BooleanField("准入类职业资格", default=False)

    class Meta:
        ordering = ["edition", "code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="occupation_edition_code"),
            models.UniqueConstraint(
                fields=["edition", "name"],
                condition=models.Q(code__isnull=True),
                name="occupation_uncoded_name",
            ),
        ]
        verbose_name = "职业"
        verbose_name_plural = "职业"

    def __str__(self) -> str:
        return f"{self.code or '（无编码）'} {self.name}"


class AccessQualification(models.Model):
    """An access-type (准入类) qualification of the 2021 catalog: organizations may not file it."""

    name = models.CharField("名称", max_length=100, unique=True)
    code_2022 = models.CharField("2022版职业编码", max_length=16, blank=True)
    authority = models.CharField("实施部门", max_length=40, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "准入类职业资格"
        verbose_name_plural = "准入类职业资格"

    def __str__(self) -> str:
        return self.name


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", "法定节假日"
    WORKDAY = "workday", "调休上班"


class CalendarDay(models.Model):
    """A day of a holiday schedule an officer loaded (``skillcert calendar load``)."""

    day = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=8, choices=CalendarDayKind.choices)

    class Meta:
        ordering = ["day"]
        verbose_name = "节假日安排"
        verbose_name_plural = "节假日安排"

    def __str__(self) -> str:
        return f"{self.day} {self.get_kind_display()}"


class CalendarYear(models.Model):
    """A year whose schedule was loaded; its days replace the library's for that year."""

    year = models.PositiveSmallIntegerField("年份", unique=True)
    loaded_at = models.DateTimeField("载入时间", auto_now=True)
    source_name = models.CharField("来源文件", max_length=200, blank=True)

    class Meta:
        ordering = ["year"]
        verbose_name = "已载入节假日安排的年份"

    def __str__(self) -> str:
        return str(self.year)


class ServiceGuide(models.Model):
    """A service guide (办事指南) of one public service, shown at ``/guide/<slug>``.

    Plain text: the pages escape it and render its line breaks, never HTML. The province
    department edits it (``reference.services.update_service_guide``, audited); the seven
    guides of the notice are filled by migration ``0002`` and by ``skillcert setup``.
    """

    slug = models.SlugField("地址", max_length=32, unique=True)
    order = models.PositiveSmallIntegerField("排序", default=0)
    title = models.CharField("事项名称", max_length=60)
    summary = models.CharField("简要说明", max_length=200, blank=True)
    basis = models.TextField("设定依据", max_length=2000)
    conditions = models.TextField("申请条件", max_length=4000)
    materials = models.TextField("申请材料", max_length=4000)
    process = models.TextField("办理流程", max_length=4000)
    time_limit = models.TextField("办理时限", max_length=2000)
    fees = models.TextField("收费标准", max_length=500)
    channel = models.TextField("办理地点和渠道", max_length=2000)
    contact = models.TextField("咨询方式", max_length=2000)
    updated_on = models.DateField("更新日期", null=True, blank=True)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = "办事指南"
        verbose_name_plural = "办事指南"

    def __str__(self) -> str:
        return self.title


# The text fields of a guide, in the order the page shows them (name, heading).
GUIDE_SECTIONS: tuple[tuple[str, str], ...] = (
    ("basis", "设定依据"),
    ("conditions", "申请条件"),
    ("materials", "申请材料"),
    ("process", "办理流程"),
    ("time_limit", "办理时限"),
    ("fees", "收费标准"),
    ("channel", "办理地点和渠道"),
    ("contact", "咨询方式"),
)


class SiteSettings(models.Model):
    """The government-site footer (主办单位, 承办单位, contact, ICP/公安备案号, 网站标识码):
    one row (pk 1), edited by the system administrator; read through
    ``reference.selectors.site_settings`` (cached, reset on save). Empty fields fall back to
    the ``SKILLCERT_SITE_*`` environment variables, then to placeholders saying they must be set.
    """

    sponsor = models.CharField("主办单位", max_length=100, blank=True)
    organizer = models.CharField("承办单位", max_length=100, blank=True)
    phone = models.CharField("联系电话", max_length=60, blank=True)
    address = models.CharField("联系地址", max_length=200, blank=True)
    icp_record = models.CharField("ICP备案号", max_length=60, blank=True)
    police_record = models.CharField("公安机关备案号", max_length=60, blank=True)
    site_code = models.CharField("网站标识码", max_length=20, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = "网站信息"
        verbose_name_plural = "网站信息"

    def __str__(self) -> str:
        return self.sponsor or "网站信息"
