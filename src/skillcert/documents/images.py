"""Image checks and conversions shared by uploads that end up on documents (photos, seals).

The content decides what a file is, never its name: the magic bytes are sniffed, then Pillow
must decode every pixel (a truncated or fake file fails here, not later while printing).
Oversized pictures are refused before they are decoded (decompression bombs).

``draw_stamp`` puts a seal (a PNG with transparency) on a reportlab canvas. reportlab would
decode and compress the picture again for every document; a certificate is one document, so
the compressed image data is kept per process instead (``prepared_stamp``).

Importing this module also sets reportlab's ``rl_config.useA85 = 0``: images go into the
PDFs as binary streams (JPEG passed through as DCT, others Flate), not inflated by a quarter
with ASCII85 text encoding, which only costs time and bytes.
"""

from __future__ import annotations

import functools
import hashlib
import io
import os
import warnings
import zlib
from collections.abc import Collection
from dataclasses import dataclass

from PIL import Image, ImageChops, ImageOps, UnidentifiedImageError
from reportlab import rl_config
from reportlab.pdfbase import pdfdoc
from reportlab.pdfgen import canvas

from skillcert.rules.errors import InvalidInput

rl_config.useA85 = 0

JPEG = "image/jpeg"
PNG = "image/png"
IMAGE_TYPES: dict[str, str] = {JPEG: "JPEG", PNG: "PNG"}  # content type → Pillow format
# 40 megapixels: any real photo or scan; far below what would exhaust memory.
MAX_PIXELS = 40_000_000


def sniff_image(head: bytes) -> str | None:
    """The image type the bytes really are (JPEG or PNG), whatever the file is called."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    return None


def check_image(data: bytes, content_type: str, *, field: str = "file") -> None:
    """Raise InvalidInput unless ``data`` is a whole, decodable image of ``content_type``."""
    load_image(data, allowed=(content_type,), field=field).close()


def load_image(
    data: bytes,
    *,
    allowed: Collection[str] = (JPEG, PNG),
    field: str = "file",
    what: str = "图片",
) -> Image.Image:
    """Decode an uploaded image fully (every pixel) and turn it upright (EXIF orientation).

    InvalidInput (400) when the bytes are not one of the ``allowed`` types by content, when
    the sniffed type and the decoded format disagree, when the file is truncated or corrupt,
    or when it has more than ``MAX_PIXELS`` pixels.
    """
    names = "或".join(IMAGE_TYPES[t] for t in allowed)
    content_type = sniff_image(data[:16])
    if content_type is None or content_type not in allowed:
        raise InvalidInput.for_field(field, f"{what}仅支持 {names} 格式（按文件内容识别）")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=[IMAGE_TYPES[content_type]])
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise InvalidInput.for_field(
                    field, f"{what}像素过多（{width}×{height}），请缩小后再上传"
                )
            image.load()  # decodes every pixel: truncated data fails here
    except InvalidInput:
        raise
    except (
        UnidentifiedImageError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
    ):
        raise InvalidInput.for_field(field, f"{what}文件无法识别或已损坏") from None
    try:
        upright = ImageOps.exif_transpose(image)
    except Exception:  # a broken EXIF block: the pixels are fine, keep them as they are
        return image
    return upright if upright is not None else image


def on_white(image: Image.Image) -> Image.Image:
    """The image as RGB; transparent parts become white (a photo's background)."""
    if image.mode in {"RGBA", "LA"} or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        background = Image.new("RGB", rgba.size, (255, 255, 255))
        background.paste(rgba, mask=rgba.getchannel("A"))
        return background
    return image.convert("RGB")


def fit(image: Image.Image, width: int, height: int, *, top: float = 0.5) -> Image.Image:
    """Crop to the ``width``:``height`` ratio and resize to exactly that size.

    ``top`` is the share of the excess height cut from the top (0.5: centred); a portrait
    is cut less at the top so that the head stays whole.
    """
    return ImageOps.fit(image, (width, height), Image.Resampling.LANCZOS, centering=(0.5, top))


def has_alpha(image: Image.Image) -> bool:
    """Whether the image carries real transparency (not just an opaque alpha channel)."""
    if image.mode == "P":
        return "transparency" in image.info
    if image.mode not in {"RGBA", "LA", "PA"}:
        return False
    low, _high = image.getchannel("A").getextrema()
    assert not isinstance(low, tuple), "one channel's extrema are two numbers"
    return low < 255


def ink_on_transparent(image: Image.Image) -> Image.Image:
    """A stamp scanned on white paper as RGBA: white becomes transparent, the ink opaque.

    The alpha of a pixel is how far it is from white (255 minus its lightest-missing
    channel); its colour is the ink's, the mean colour of the clearly inked pixels, so the
    edges stay smooth and nothing pink or grey is left around the strokes.
    """
    rgb = image.convert("RGB")
    red, green, blue = rgb.split()
    alpha = ImageChops.invert(ImageChops.darker(ImageChops.darker(red, green), blue))
    strong = alpha.point(lambda value: 255 if value >= 160 else 0)
    if strong.getbbox() is None:
        ink = (200, 30, 30)
    else:
        ink = (_mean(red, strong), _mean(green, strong), _mean(blue, strong))
    stamp = Image.new("RGBA", rgb.size, (*ink, 0))
    stamp.putalpha(alpha)
    return stamp


def _mean(band: Image.Image, mask: Image.Image) -> int:
    """The mean value of ``band`` where ``mask`` is set."""
    histogram = band.histogram(mask)
    return round(sum(value * count for value, count in enumerate(histogram)) / sum(histogram))


def encode_jpeg(image: Image.Image, *, quality: int = 90) -> bytes:
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue()


def encode_png(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


# --- stamps on PDF pages -------------------------------------------------------------------


@dataclass(frozen=True)
class PreparedStamp:
    """A PNG stamp as PDF image data: RGB and alpha, each Flate-compressed once."""

    name: str
    width: int
    height: int
    rgb: bytes
    alpha: bytes


def prepared_stamp(path: str | os.PathLike[str]) -> PreparedStamp:
    """The stamp at ``path``, decoded and compressed at most once per process and file
    version (the cache key holds the file's size and modification time)."""
    info = os.stat(path)
    return _prepare(os.fspath(path), info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=64)
def _prepare(path: str, _mtime_ns: int, _size: int) -> PreparedStamp:
    with Image.open(path) as source:
        rgba = source.convert("RGBA")
    rgb = rgba.convert("RGB").tobytes()
    alpha = rgba.getchannel("A").tobytes()
    digest = hashlib.sha256(rgb + alpha).hexdigest()[:24]
    return PreparedStamp(
        name=f"stamp{digest}",
        width=rgba.width,
        height=rgba.height,
        rgb=zlib.compress(rgb),
        alpha=zlib.compress(alpha),
    )


def draw_stamp(
    pdf: canvas.Canvas,
    path: str | os.PathLike[str],
    x: float,
    y: float,
    size: float,
    *,
    alpha: float = 1.0,
) -> None:
    """Draw the stamp at ``path`` centred in the ``size`` square at (x, y) (lower left),
    keeping its proportions; ``alpha`` below 1 lets what is under it show through."""
    stamp = prepared_stamp(path)
    scale = size / max(stamp.width, stamp.height)
    width, height = stamp.width * scale, stamp.height * scale
    left, bottom = x + (size - width) / 2, y + (size - height) / 2
    pdf.saveState()
    if alpha < 1:
        pdf.setFillAlpha(alpha)
    name = _register_stamp(pdf, stamp)
    pdf.translate(left, bottom)
    pdf.scale(width, height)
    pdf._code.append(f"/{name} Do")  # what Canvas.drawImage writes for an image
    pdf.restoreState()


def _register_stamp(pdf: canvas.Canvas, stamp: PreparedStamp) -> str:
    """Add the stamp's image (and its soft mask) to the document once; its resource name.

    The same steps as ``Canvas.drawImage``, with the image data already compressed.
    """
    document = pdf._doc
    name = document.getXObjectName(stamp.name)
    if name not in document.idToObject:
        image = _image_xobject(stamp.name, stamp, stamp.rgb, "DeviceRGB")
        mask = _image_xobject(f"{stamp.name}a", stamp, stamp.alpha, "DeviceGray")
        mask._decode = [0, 1]
        pdf._setXObjects(image)
        document.Reference(image, name)
        document.addForm(stamp.name, image)
        pdf._setXObjects(mask)
        image.smask = document.Reference(mask, document.getXObjectName(mask.name))
    pdf._currentPageHasImages = 1
    pdf._formsinuse.append(stamp.name)
    return name


def _image_xobject(
    name: str, stamp: PreparedStamp, data: bytes, colour_space: str
) -> pdfdoc.PDFImageXObject:
    image = pdfdoc.PDFImageXObject(name)  # no source: filled in below
    image.name = name
    image.width, image.height = stamp.width, stamp.height
    image.bitsPerComponent = 8
    image.colorSpace = colour_space
    image._filters = ("FlateDecode",)
    image.streamContent = data
    image.mask = None
    return image
