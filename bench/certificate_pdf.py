"""Rendering single certificates (附件6) against the fastest bare reportlab page with the same
font, photo and QR code.

Run: .venv/bin/python bench/certificate_pdf.py [--n 200] [--repeat 5] [--profile]

Set-up as in export_annex5.py (a temporary SQLite data directory): one organization with a
confirmed seal, one batch of N certificates (default 200, at most 1000), each candidate with
a stored 413 x 579 JPEG photo of its own. Each figure is the median rate (pages per second)
of ``--repeat`` interleaved rounds (every variant once per round, after one warm-up each):

- ``render_certificate(certificate)`` for each of the N certificates, one PDF each: the
  service end to end (the seal looked up per certificate, wrapping, drawing, saving);
- the same with the QR code drawn as an image instead of the vector path (pdf.drawing._draw_qr
  swapped for the variant below), to choose between the two;
- the bare page: one Canvas per page with the same settings (invariant, the font already
  registered), the same strings at fixed positions (no wrapping, no look-ups), the photo by
  file name, a segno QR code as a vector path or as an image: the faster of the two is the
  baseline. Also with the seal through plain ``Canvas.drawImage(mask="auto")``, which decodes
  and compresses the PNG again for every document (what the service avoids).

Aim: render_certificate >= 0.8 x the bare rate. Also says whether reportlab's C accelerator
(rl_accel) is active and that images are not ASCII85-encoded (rl_config.useA85 = 0).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import shutil
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from export_annex5 import (
    make_batch,
    make_candidates,
    make_certificates,
    make_organization,
    setup_django,
)


def photo_jpeg(index: int) -> bytes:
    """A head-and-shoulders picture of its own for each candidate (413 x 579, JPEG)."""
    from PIL import Image, ImageDraw

    rng = random.Random(index)
    image = Image.new("RGB", (413, 579), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    coat = tuple(rng.randrange(20, 120) for _ in range(3))
    skin = (235 - rng.randrange(30), 200 - rng.randrange(30), 170 - rng.randrange(30))
    draw.ellipse((30, 360, 383, 720), fill=coat)
    draw.rectangle((176, 260, 237, 380), fill=skin)
    draw.ellipse((120, 90, 293, 330), fill=skin)
    draw.chord((115, 75, 298, 260), 180, 360, fill=(30, 25, 20))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=90, optimize=True)
    return buffer.getvalue()


def seal_png() -> bytes:
    """A red ring with a star, on transparency (480 x 480)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (480, 480), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    red = (210, 20, 30, 255)
    draw.ellipse((17, 17, 463, 463), outline=red, width=17)
    draw.regular_polygon((240, 240, 70), 5, rotation=90, fill=red)
    draw.rectangle((150, 340, 330, 360), fill=red)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def add_photos_and_seal(batch) -> None:
    import hashlib

    from django.conf import settings
    from django.utils import timezone

    from skillcert.certificates.models import CandidatePhoto
    from skillcert.registry.models import OrganizationSeal, SealState

    media = Path(settings.MEDIA_ROOT)
    rows = []
    for candidate in batch.candidates.all():
        data = photo_jpeg(candidate.pk)
        name = f"photos/{batch.pk}/{candidate.pk}.jpg"
        (media / name).parent.mkdir(parents=True, exist_ok=True)
        (media / name).write_bytes(data)
        rows.append(
            CandidatePhoto(
                candidate=candidate,
                stored_name=name,
                sha256=hashlib.sha256(data).hexdigest(),
                width=413,
                height=579,
            )
        )
    CandidatePhoto.objects.bulk_create(rows, batch_size=500)
    data = seal_png()
    name = f"seals/{batch.organization_id}/seal.png"
    (media / name).parent.mkdir(parents=True, exist_ok=True)
    (media / name).write_bytes(data)
    OrganizationSeal.objects.create(
        organization_id=batch.organization_id,
        stored_name=name,
        sha256=hashlib.sha256(data).hexdigest(),
        state=SealState.CONFIRMED,
        decided_at=timezone.now(),
    )


def bare_page_factory(with_seal: bool) -> Callable[[object], bytes]:
    """The fastest page found with the same content: fixed positions, nothing looked up."""
    import segno
    from reportlab.lib.units import mm
    from reportlab.pdfgen import canvas

    from skillcert.certificates import pdf as P
    from skillcert.documents.fonts import cjk_font

    font = cjk_font()
    value_x = P.RIGHT_X0 + 60 * mm
    label_y = [P.INFO_TOP - index * P.INFO_ROW for index in range(9)]

    def page(face: P.CertificateFace) -> bytes:
        buffer = io.BytesIO()
        c = canvas.Canvas(
            buffer,
            pagesize=(P.PAGE_WIDTH, P.PAGE_HEIGHT),
            invariant=1,
            pageCompression=1,
            initialFontName=font,
            initialFontSize=16,
        )
        c.setLineWidth(2.25)
        c.rect(P.BORDER_X, P.BORDER_Y, P.BORDER_WIDTH, P.BORDER_HEIGHT)
        c.setFont(font, 30)
        c.drawCentredString(P.LEFT_CENTRE, P.TITLE_BASELINE, P.TITLE)
        c.setFont(font, 16)
        c.drawString(P.LEFT_X0, P.BODY_TOP, f"{face.name}经考核评价，成绩合格，具备")
        c.drawString(P.LEFT_X0, P.BODY_TOP - 21, f"{face.occupation}{face.level}职业技能水平，")
        c.drawString(P.LEFT_X0, P.BODY_TOP - 42, "特发此证。")
        c.drawString(P.LEFT_X0, P.BODY_TOP - 69, P.VERIFY_NOTE[:16])
        c.drawString(P.LEFT_X0, P.BODY_TOP - 90, P.VERIFY_NOTE[16:])
        c.setFont(font, 14)
        c.drawString(P.LEFT_X0, P.ADDRESS_BASELINE, f"证书查询网址：{face.address}")
        c.setFont(font, 16)
        values = [v for _label, v in P.info_rows(face)]
        for label, value, y in zip(P.LABELS, values, label_y, strict=True):
            c.drawString(P.RIGHT_X0, y, f"{label}：")
            c.drawString(value_x, y, value)
        c.drawImage(face.photo, P.PHOTO_X, P.PHOTO_TOP - P.PHOTO_HEIGHT, 35 * mm, 49 * mm)
        matrix = segno.make_qr(face.verify_url, error="m").matrix
        P.drawing._draw_qr(c, matrix, P.QR_X, P.QR_Y, P.QR_SIZE)
        if with_seal:
            c.drawImage(face.seal, value_x, label_y[-1] - 20 * mm, 40 * mm, 40 * mm, mask="auto")
        c.showPage()
        c.save()
        return buffer.getvalue()

    return page


def draw_qr_as_image(pdf, matrix, x: float, y: float, size: float) -> None:
    """The QR variant measured against the vector path: a 1-pixel-per-module grey image."""
    from PIL import Image
    from reportlab.lib.utils import ImageReader

    count = len(matrix)
    image = Image.new("L", (count, count), 255)
    image.putdata([0 if dark else 255 for row in matrix for dark in row])
    pdf.drawImage(ImageReader(image), x, y, size, size)


def main() -> None:
    data_dir = None
    try:
        data_dir = run()
    finally:
        if data_dir is not None:
            shutil.rmtree(data_dir, ignore_errors=True)


def run() -> Path:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    n = max(1, min(args.n, 1000))

    started = time.perf_counter()
    data_dir = setup_django()
    from reportlab import rl_config

    from skillcert.certificates import pdf as P
    from skillcert.certificates.models import Certificate

    organization = make_organization()
    batch = make_batch(organization, state="certificates_issued")
    make_certificates(batch, make_candidates(batch, n=n))
    add_photos_and_seal(batch)
    certificates = list(
        Certificate.objects.filter(batch=batch)
        .select_related("candidate__photo")
        .order_by("number")
    )
    faces = [P.face_of(c) for c in certificates]
    assert all(face.photo and face.seal for face in faces)
    print(
        f"setup: {n} certificates with photos and a confirmed seal in "
        f"{time.perf_counter() - started:.1f} s ({data_dir})"
    )
    print(
        f"rl_accel (C accelerator) active: {'yes' if P.rl_accel_active() else 'NO'}; "
        f"rl_config.useA85 = {rl_config.useA85}"
    )

    bare = bare_page_factory(with_seal=False)
    bare_seal = bare_page_factory(with_seal=True)
    vector_qr = P.drawing._draw_qr

    def service() -> None:
        for certificate in certificates:
            P.render_certificate(certificate)

    def image_qr(function: Callable[[], object]) -> Callable[[], None]:
        def run() -> None:
            P.drawing._draw_qr = draw_qr_as_image  # the bare page draws its QR code through it too
            try:
                function()
            finally:
                P.drawing._draw_qr = vector_qr

        return run

    bare_names = ("bare page: font, photo, vector QR", "bare page: font, photo, QR as image")
    print(f"load average before: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    figures = interleaved(
        {
            bare_names[0]: lambda: [bare(f) for f in faces],
            bare_names[1]: image_qr(lambda: [bare(f) for f in faces]),
            "bare page + seal via drawImage(mask='auto')": lambda: [bare_seal(f) for f in faces],
            "render_certificate (vector QR, chosen)": service,
            "render_certificate with the QR as an image": image_qr(service),
        },
        args.repeat,
    )
    print(f"load average after: {' '.join(f'{v:.2f}' for v in os.getloadavg())}")
    fastest = min(bare_names, key=figures.__getitem__)
    baseline = n / figures[fastest]
    print(f"baseline: the faster bare page ({fastest})")
    print(f"{n} one-page PDFs per variant; median of {args.repeat} interleaved rounds")
    for name, seconds in figures.items():
        rate = n / seconds
        print(
            f"  {name:<46} {rate:7.1f} pages/s  {1000 / rate:6.2f} ms"
            f"  {rate / baseline:5.2f} x bare"
        )
    ratio = n / figures["render_certificate (vector QR, chosen)"] / baseline
    print(
        f"render_certificate / bare = {ratio:.2f} (aim >= 0.80): "
        f"{'OK' if ratio >= 0.8 else 'BELOW'}"
    )
    sizes = [len(P.render_certificate(c)) for c in certificates[:20]]
    print(f"size of one certificate: {statistics.median(sizes) / 1024:.0f} KiB (median of 20)")

    if args.profile:
        profiler = cProfile.Profile()
        profiler.enable()
        service()
        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return data_dir


def interleaved(functions: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """Median seconds of each function over ``repeat`` rounds, one warm-up call each first."""
    for function in functions.values():
        function()
    times: dict[str, list[float]] = {name: [] for name in functions}
    for _ in range(repeat):
        for name, function in functions.items():
            started = time.perf_counter()
            function()
            times[name].append(time.perf_counter() - started)
    return {name: statistics.median(values) for name, values in times.items()}


if __name__ == "__main__":
    main()
