"""Regenerate the binary bad inputs in this folder (the text ones are written by hand).

    .venv/bin/python tests/bad_inputs/make_inputs.py

Needs fpdf2 and python-docx (dev dependencies) and, for encrypted.docx only,
msoffcrypto-tool (``pip install msoffcrypto-tool``; not a project dependency).
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import docx
from fpdf import FPDF
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
PLAN = ["梅州市全面推进质量强市建设实施方案", "一、主要目标", "到2025年，制造业产品质量合格率达到94%以上。"]


def _pdf() -> FPDF:
    pdf = FPDF()
    pdf.set_creation_date(dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc))  # fixed: same bytes each time
    pdf.add_page()
    return pdf


def scanned_pdf() -> bytes:
    """A page that is only a picture of text: no text layer, as from a scanner."""
    image = Image.new("L", (400, 120), 255)
    draw = ImageDraw.Draw(image)
    for y in range(20, 110, 18):
        draw.rectangle((20, y, 380, y + 8), fill=0)  # lines of "text"
    pdf = _pdf()
    pdf.image(image, x=10, y=10, w=180)
    return bytes(pdf.output())


def encrypted_pdf() -> bytes:
    """A PDF that needs a password to open (RC4, user password 'qcompare')."""
    pdf = _pdf()
    pdf.set_encryption(owner_password="owner", user_password="qcompare")
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="This plan is locked.")
    return bytes(pdf.output())


def truncated_pdf() -> bytes:
    """The first 300 bytes of a PDF: a download cut short."""
    pdf = _pdf()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="cut short")
    return bytes(pdf.output())[:300]


def empty_docx() -> bytes:
    out = io.BytesIO()
    docx.Document().save(out)
    return out.getvalue()


def encrypted_docx() -> bytes | None:
    """A real password-protected .docx (Agile encryption, password 'qcompare')."""
    try:
        from msoffcrypto.format.ooxml import OOXMLFile
    except ImportError:
        return None
    document = docx.Document()
    for line in PLAN:
        document.add_paragraph(line)
    plain, locked = io.BytesIO(), io.BytesIO()
    document.save(plain)
    plain.seek(0)
    OOXMLFile(plain).encrypt("qcompare", locked)
    return locked.getvalue()


def zip_bomb_docx() -> bytes:
    """A real .docx with one extra part of 120 MB of zeros, deflated to about 120 KB."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(empty_docx())) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dest:
        for item in src.infolist():
            dest.writestr(item, src.read(item))
        dest.writestr(zipfile.ZipInfo("word/media/padding.bin", (2024, 1, 1, 0, 0, 0)), bytes(120_000_000),
                      compress_type=zipfile.ZIP_DEFLATED, compresslevel=9)
    return out.getvalue()


def main() -> None:
    made = {
        "scanned.pdf": scanned_pdf(),
        "encrypted.pdf": encrypted_pdf(),
        "truncated.pdf": truncated_pdf(),
        "empty.docx": empty_docx(),
        "encrypted.docx": encrypted_docx(),
        "zip-bomb.docx": zip_bomb_docx(),
    }
    for name, data in made.items():
        if data is None:
            print(f"skipped {name} (pip install msoffcrypto-tool)")
            continue
        (HERE / name).write_bytes(data)
        print(f"wrote {name} ({len(data)} bytes)")


if __name__ == "__main__":
    main()
