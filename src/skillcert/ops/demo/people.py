"""Who the demo signs in as: the officers and the organizations, their passwords."""

from __future__ import annotations

from dataclasses import dataclass

from skillcert.audit.service import ActorRef
from skillcert.rules.credit_code import credit_check_char, org_code_check_char

DEMO_PASSWORD = "Demo-2026-skill"  # noqa: S105 - printed on purpose, demo data only
DEMO_ACTOR = ActorRef("demo", None, "system")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    authority: str | None
    display_name: str  # 姓名
    department: str  # 部门: histories and the navigation show "部门 姓名"
    note: str


OFFICERS = [
    # 三员分立: three separate administrator accounts (domain.md §11).
    DemoLogin(
        "admin",
        "system_admin",
        "province",
        "陈静",
        "安徽省人社厅信息中心",
        "系统管理员：管理账户与基础数据（不能查阅审计记录）",
    ),
    DemoLogin(
        "security",
        "security_admin",
        "province",
        "刘洋",
        "安徽省人社厅信息中心",
        "安全管理员：账户锁定、安全策略与密钥",
    ),
    DemoLogin(
        "auditor",
        "audit_admin",
        "province",
        "黄蕾",
        "安徽省人社厅审计室",
        "审计管理员：查询、校验、导出审计记录（只读）",
    ),
    DemoLogin(
        "province_dept",
        "province_dept",
        "province",
        "王建国",
        "安徽省人社厅",
        "省直渠道备案、面向全省复核",
    ),
    DemoLogin(
        "province_center",
        "province_center",
        "province",
        "李娟",
        "安徽省职业技能鉴定中心",
        "省直渠道技术评估、证书号段、全国联网上报",
    ),
    DemoLogin(
        "hefei_bureau",
        "city_bureau",
        "01",
        "张明",
        "合肥市人社局",
        "合肥市受理、评估、公示、备案，双随机抽查",
    ),
    DemoLogin(
        "hefei_center",
        "city_center",
        "01",
        "赵丽",
        "合肥市职业技能鉴定中心",
        "合肥市技术评估、计划与结果报备",
    ),
    DemoLogin(
        "wuhu_bureau",
        "city_bureau",
        "02",
        "孙伟",
        "芜湖市人社局",
        "芜湖市受理、备案（看不到合肥市的申请）",
    ),
    DemoLogin("inspector_hefei", "inspector", "01", "周敏", "合肥市人社局", "合肥市督查员"),
    DemoLogin("inspector_hefei2", "inspector", "01", "吴刚", "合肥市人社局", "合肥市督查员"),
    DemoLogin("inspector_hefei3", "inspector", "01", "郑洁", "合肥市人社局", "合肥市督查员"),
]


@dataclass(frozen=True)
class DemoOrganization:
    username: str
    name: str
    division: str
    body: str
    contact: str  # 姓名 of the person using the account; its department is the organization


ORGANIZATIONS = [
    DemoOrganization(
        "org_hefei", "合肥市明德职业技能培训学校", "340104", "MJ000101", contact="刘芳"
    ),
    DemoOrganization("org_wuhu", "芜湖市江城职业培训学校", "340202", "MJ000202", contact="黄磊"),
    DemoOrganization(
        "org_binhu", "合肥市滨湖职业技能培训中心", "340111", "MJ000303", contact="杨帆"
    ),
    DemoOrganization("org_chaohu", "安徽巢湖技工学校", "340181", "MJ000404", contact="胡斌"),
    DemoOrganization(
        "org_baohe", "合肥市包河区家政服务培训学校", "340111", "MJ000505", contact="何静"
    ),
    DemoOrganization(
        "org_jiujiang", "芜湖市鸠江职业技能评价中心", "340207", "MJ000606", contact="马超"
    ),
    DemoOrganization(
        "org_telecom", "中国电信股份有限公司安徽分公司", "340100", "MJ000707", contact="徐丽"
    ),
    DemoOrganization("org_revoked", "合肥市速成职业培训学校", "340102", "MJ000808", contact="朱强"),
    DemoOrganization(
        "org_shushan", "合肥市蜀山区职业技能培训学校", "340104", "MJ000909", contact="唐悦"
    ),
    DemoOrganization("org_feixi", "肥西县职业技能培训中心", "340123", "MJ001010", contact="邓军"),
]


def demo_credit_code(division: str, body: str) -> str:
    """A valid 统一社会信用代码 for demo data.

    5 (社会组织 registration) + 2 (民办非企业单位) + division + organization code.
    """
    org_code = body + org_code_check_char(body)
    first17 = "52" + division + org_code
    return first17 + credit_check_char(first17)
