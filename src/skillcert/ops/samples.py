"""Sample applications and documents, shared by the demo data set and the tests."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from skillcert.registry.models import Organization


def _minimal_pdf() -> bytes:
    """The smallest whole PDF: one blank A4 page, with its cross-reference table (uploads
    are parsed, so a file that only starts and ends like a PDF is refused)."""
    objects = [
        b"<</Type/Catalog/Pages 2 0 R>>",
        b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
        b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj%s endobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return out


MINIMAL_PDF = _minimal_pdf()


def sample_application(organization: Organization, **overrides: Any) -> dict[str, Any]:
    """A complete first-filing application (welders and electricians, levels 2-5)."""
    data: dict[str, Any] = {
        "kind": "initial",
        "channel": "city",
        "category": "S",
        "basic": {
            "name": organization.name,
            "address": "合肥市蜀山区长江西路 100 号",
            "registration_authority": "合肥市民政局",
            "nature": "民办非企业单位",
            "credit_code": organization.credit_code,
            "legal_representative": "王明",
            "registered_capital": "500 万元",
            "contact_name": "李华",
            "contact_position": "办公室主任",
            "contact_phone": "0551-62620000",
            "contact_email": "contact@example.org.cn",
        },
        "occupations": [
            {
                "name": "焊工",
                "code": "6-18-02-04",
                "work_type": "",
                "new_occupation": False,
                "years": 6,
                "persons": 6000,
                "subsidised": True,
                "levels": [2, 3, 4, 5],
                "experience_level": 3,
            },
            {
                "name": "电工",
                "code": "6-31-01-03",
                "work_type": "",
                "years": 5,
                "persons": 5200,
                "subsidised": False,
                "levels": [3, 4, 5],
                "experience_level": None,
            },
        ],
        "record": {"years_continuous": 6, "persons_total": 21000, "subsidised_training": True},
        "narrative": {
            "strengths": "专职工作人员 12 名，考评人员 30 名，质量督导员 4 名。",
            "sites": "实训场地 2000 平方米，考场全程视频监控。",
            "expertise": "参与焊工国家职业技能标准修订。",
        },
        "pledge_signed": True,
    }
    data.update(overrides)
    return data


def sample_pdf(title: str) -> bytes:
    """A one-page PDF naming the material (with the Kai font when it is installed)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from skillcert.documents.fonts import FontMissing, cjk_font

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    try:
        page.setFont(cjk_font(), 20)
        page.drawString(72, 760, f"演示材料：{title}")
    except FontMissing:
        page.setFont("Helvetica", 20)
        page.drawString(72, 760, "Demo material")
    page.showPage()
    page.save()
    return buffer.getvalue()


def sample_upload(title: str = "材料", *, rendered: bool = False) -> SimpleUploadedFile:
    content = sample_pdf(title) if rendered else MINIMAL_PDF
    return SimpleUploadedFile(f"{title}.pdf", content, content_type="application/pdf")


SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建文辉玲红梅鹏飞斌宇浩凯"
SOURCES = ("企业职工", "社会人员", "院校学生")


def sample_id_number(index: int, division: str = "340104") -> str:
    """A valid 居民身份证号码 for sample candidate ``index`` (distinct for 0-999,999)."""
    from skillcert.rules.idtypes import id_check_char

    year = 1970 + index % 30
    month = 1 + (index // 30) % 12
    day = 1 + (index // 360) % 28
    sequence = index // 10080 % 1000
    body = f"{division}{year:04d}{month:02d}{day:02d}{sequence:03d}"
    return body + id_check_char(body)


def sample_candidates(
    count: int, items: list[dict[str, Any]], *, start: int = 0
) -> list[dict[str, Any]]:
    """``count`` candidates spread over the plan's items, with valid distinct ID numbers."""
    cities = ("合肥市", "芜湖市", "蚌埠市", "六安市")
    rows = []
    for offset in range(count):
        index = start + offset
        item = items[index % len(items)]
        rows.append(
            {
                "name": SURNAMES[index % len(SURNAMES)]
                + GIVEN[(index // 7) % len(GIVEN)]
                + GIVEN[(index // 3) % len(GIVEN)],
                "id_type": "201",
                "id_number": sample_id_number(index),
                "work_unit": f"合肥示例制造有限公司第{index % 9 + 1}车间",
                "city": cities[index % len(cities)],
                "occupation_code": item["occupation_code"],
                "work_type": item.get("work_type", ""),
                "level": item["level"],
                "source": SOURCES[index % len(SOURCES)],
            }
        )
    return rows


def sample_batch(start: str, *, candidates: int = 6, site_city: str = "01") -> dict[str, Any]:
    """A batch plan body of the contract: welders at levels 3-5, all staff roles."""
    items = [
        {"occupation_code": "6-18-02-04", "occupation_name": "焊工", "work_type": "", "level": 3},
        {"occupation_code": "6-18-02-04", "occupation_name": "焊工", "work_type": "", "level": 4},
        {"occupation_code": "6-18-02-04", "occupation_name": "焊工", "work_type": "", "level": 5},
    ]
    start_date = dt.date.fromisoformat(start)
    return {
        "title": f"{start_date.year}年第{start_date.month}期焊工认定",
        "start_date": start,
        "end_date": (start_date + dt.timedelta(days=1)).isoformat(),
        "site_city": site_city,
        "site_address": "合肥市蜀山区长江西路 100 号实训楼",
        "subjects": ["理论知识", "操作技能"],
        "pass_mark": 60,
        "items": items,
        "staff": [
            {
                "role": "proctor",
                "name": "钱监考",
                "id_type": "201",
                "id_number": sample_id_number(900_001),
            },
            {
                "role": "examiner",
                "name": "孙考评",
                "id_type": "201",
                "id_number": sample_id_number(900_002),
            },
            {
                "role": "quality_supervisor",
                "name": "周督导",
                "id_type": "201",
                "id_number": sample_id_number(900_003),
            },
        ],
        "candidates": sample_candidates(candidates, items),
    }


def sample_photo(index: int) -> SimpleUploadedFile:
    """A 2-inch style portrait placeholder (a drawn silhouette on white), as a JPEG upload."""
    from PIL import Image, ImageDraw

    width, height = 413, 579
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    shades = [(64, 84, 120), (90, 70, 60), (40, 40, 48), (110, 90, 80)]
    color = shades[index % len(shades)]
    draw.ellipse((126, 90, 286, 270), fill=(236, 205, 180))  # face
    draw.pieslice((110, 70, 302, 250), 180, 360, fill=color)  # hair
    draw.rounded_rectangle((60, 300, 352, 620), radius=90, fill=color)  # shoulders
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=85)
    return SimpleUploadedFile(f"photo-{index}.jpg", buffer.getvalue(), content_type="image/jpeg")


def sample_seal(name: str) -> SimpleUploadedFile:
    """A round red seal with the organization's name around a star (PNG with transparency)."""
    import math

    from PIL import Image, ImageDraw, ImageFont

    from skillcert.documents.fonts import FontMissing, font_path

    size = 400
    image = Image.new("RGBA", (size, size), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    red = (200, 30, 30, 255)
    draw.ellipse((10, 10, size - 10, size - 10), outline=red, width=14)
    star = [
        (
            size / 2 + (70 if i % 2 == 0 else 28) * math.sin(i * math.pi / 5),
            size / 2 - (70 if i % 2 == 0 else 28) * math.cos(i * math.pi / 5),
        )
        for i in range(10)
    ]
    draw.polygon(star, fill=red)
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont
    try:
        font = ImageFont.truetype(str(font_path()), 40)
    except (FontMissing, OSError):
        font = ImageFont.load_default()
    text = name[:14]
    for i, char in enumerate(text):
        angle = math.radians(-150 + 300 * i / max(len(text) - 1, 1))
        x = size / 2 + 140 * math.sin(angle)
        y = size / 2 - 140 * math.cos(angle)
        glyph = Image.new("RGBA", (48, 48), (255, 255, 255, 0))
        ImageDraw.Draw(glyph).text((4, 0), char, font=font, fill=red)
        glyph = glyph.rotate(-math.degrees(angle), resample=Image.Resampling.BICUBIC)
        image.alpha_composite(glyph, (int(x - 24), int(y - 24)))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return SimpleUploadedFile("seal.png", buffer.getvalue(), content_type="image/png")
