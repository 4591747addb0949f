"""Plan files as received -> plain text: .txt, .docx, .pdf with a text layer, saved .html.

Reads one file's bytes; returns an :class:`Imported` (the plan's text, one paragraph per
line, plus what the file's own metadata says). ``qcompare add`` (``add.py``) writes that
text to ``data/raw/<id>.txt``; everything downstream reads only the text.

Each format is read by a maintained library: python-docx (paragraphs and tables in
document order), pypdf (the text layer; wrapped lines are joined back into paragraphs)
and trafilatura (a saved page's main text, without navigation, share bars or footers).
A file that cannot give a plan's text raises a one-line
:class:`~qcompare.errors.ImportRefused` or a reader ``InputError`` saying what to do.
"""

from __future__ import annotations

import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from qcompare.knowledge.furniture import is_furniture
from qcompare.errors import EmptyDocumentError, ImportRefused, TooLargeError
from qcompare.plan.normalize import normalize
from qcompare.plan.reader import MAX_PLAN_BYTES, decode, read_bounded

_HAN = re.compile(r"[\u4e00-\u9fff]")
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: legacy .doc, or an encrypted .docx
_ENCRYPTED_PACKAGE = "EncryptedPackage".encode("utf-16-le")
_PARAGRAPH_END = "。！？；：!?;:…〕"  # a line ending so ends its paragraph, however wide
_ITEM_START = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．](?!\d)|——|附件|附表)")
MIN_PAGE_CHINESE = 200  # a saved page with less main text is a menu or an error page, not a plan
MAX_ORIGINAL_BYTES = 50_000_000  # a .docx, .pdf or page with pictures; a .txt has MAX_PLAN_BYTES
MAX_DOCX_UNPACKED = 100_000_000  # python-docx unpacks every part: a 2.4 MB zip bomb reached 9.7 GB


@dataclass(frozen=True)
class Imported:
    """A plan's text as read from its original file."""

    text: str  # one paragraph per line, "\n" line ends, no blank lines
    format: str  # "txt", "docx", "pdf" or "html"
    encoding: str | None = None  # a .txt's detected encoding
    hints: dict[str, str] = field(default_factory=dict)  # file metadata: a page's title and url
    original: bytes = field(default=b"", repr=False)  # the file's bytes as received


def _brief(exc: Exception) -> str:
    """An exception as ``Class: first line`` (at most 80 characters of it), for one-line messages."""
    return f"{type(exc).__name__}: {(str(exc).splitlines() or [''])[0][:80]}"


def tidy_lines(lines) -> str:
    """Strip each line, drop empty ones, join with ``\\n``.

    >>> tidy_lines(["  一、总体要求 ", "", "\\u3000\\u3000到2025年", "   "])
    '一、总体要求\\n到2025年'
    """
    return "\n".join(s for s in (line.strip() for line in lines) if s)


def display_width(line: str) -> int:
    """Width in half-width cells: Chinese characters count 2, ASCII 1.

    >>> display_width("合格率98%")
    9
    """
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def unwrap_lines(lines: list[str], full: float = 0.85) -> list[str]:
    """Join lines a PDF wrapped at the right margin back into paragraphs.

    A line continues on the next one when it is nearly as wide as the widest line
    (``full`` of it), does not end a sentence, and the next line does not start a
    heading or list item (一、 (二) 3. ——). Headings and last lines are short, so they
    stay on their own.

    >>> unwrap_lines(["一、总体要求", "到2025年，制造业产品质量合格", "率达到94.5%以上。", "二、重点任务"])
    ['一、总体要求', '到2025年，制造业产品质量合格率达到94.5%以上。', '二、重点任务']
    """
    widest = max((display_width(line) for line in lines), default=0)
    out: list[str] = []
    joining = False
    for line in lines:
        if joining and not _ITEM_START.match(line):
            out[-1] += line
        else:
            out.append(line)
        last = out[-1]
        joining = display_width(line) >= full * widest and not last.endswith(tuple(_PARAGRAPH_END))
    return out


def read_txt(data: bytes, path: Path) -> Imported:
    """A text file in any encoding the reader knows (UTF-8/16, GB18030, Big5)."""
    text, encoding = decode(data, path)
    return Imported(tidy_lines(text.splitlines()), "txt", encoding)


def _docx_block_lines(block) -> list[str]:
    """Lines of one python-docx paragraph or table; a table row becomes ``cell | cell``."""
    if hasattr(block, "rows"):
        lines = []
        for row in block.rows:
            cells, seen = [], set()
            for cell in row.cells:
                if id(cell._tc) in seen:  # a merged cell repeats across the columns it spans
                    continue
                seen.add(id(cell._tc))
                inner = [line for b in cell.iter_inner_content() for line in _docx_block_lines(b)]
                cells.append(" ".join(s.strip() for s in inner if s.strip()))
            if any(cells):
                lines.append(" | ".join(cells))
        return lines
    return block.text.splitlines()


def read_docx(data: bytes, path: Path) -> Imported:
    """A Word .docx: its paragraphs and tables in document order (python-docx)."""
    import docx

    if data.startswith(_CFB_MAGIC):
        if _ENCRYPTED_PACKAGE in data:
            raise ImportRefused(
                f"{path}: the .docx is password-protected; open it in Word, remove the password "
                "(File > Info > Protect Document) and save a copy"
            )
        raise ImportRefused(
            f"{path}: this is a legacy Word 97-2003 file named .docx; "
            "save it as .docx in Word or LibreOffice (soffice --headless --convert-to docx)"
        )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:  # the sizes the zip directory declares bound what unpacks
            unpacked = sum(i.file_size for i in z.infolist())
    except zipfile.BadZipFile:
        unpacked = 0  # refused below, in python-docx's words
    if unpacked > MAX_DOCX_UNPACKED:
        raise TooLargeError(path, f"its parts unpack to {unpacked / 1e6:.0f} MB, over the {MAX_DOCX_UNPACKED / 1e6:g} MB "
                            "a .docx plan may hold (a zip bomb?); save the plan's text as .txt and add that")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # not a zip, a damaged zip, no document part: python-docx lets each through
        raise ImportRefused(
            f"{path}: not a readable .docx ({_brief(exc)}); "
            "open it in Word or LibreOffice and save it again"
        ) from None
    text = tidy_lines(line for block in document.iter_inner_content() for line in _docx_block_lines(block))
    if not text:
        raise EmptyDocumentError(path, "the .docx holds no text (is the plan in a picture or a text box?)")
    return Imported(text, "docx")


def read_pdf(data: bytes, path: Path) -> Imported:
    """A PDF's text layer (pypdf), page-number lines dropped and wrapped lines re-joined."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    log = logging.getLogger("pypdf")
    level = log.level
    log.setLevel(logging.ERROR)  # a damaged file is refused in one line below, not also logged
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise FileNotDecryptedError
        pages = [page.extract_text() or "" for page in reader.pages]
    except FileNotDecryptedError:
        raise ImportRefused(f"{path}: the PDF is password-protected; save an unprotected copy (print to PDF) and add that") from None
    except DependencyError:
        raise ImportRefused(f"{path}: the PDF is encrypted with AES; pip install cryptography to read it, or save an unprotected copy") from None
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise ImportRefused(f"{path}: not a readable PDF ({_brief(exc)})") from None
    finally:
        log.setLevel(level)
    if any("\x00" in page for page in pages):
        raise ImportRefused(
            f"{path}: the PDF's text layer does not decode (its font maps characters in a way pypdf misreads); "
            "copy the text out of a PDF viewer into a .txt and add that"
        )
    lines = [line.strip() for page in pages for line in page.splitlines()]
    lines = [line for line in lines if line and not is_furniture(normalize(line))]  # page numbers between pages
    if not _HAN.search("".join(lines)):
        raise ImportRefused(
            f"{path}: the PDF has no Chinese text layer ({len(pages)} page(s), {sum(map(len, lines))} characters of text): "
            "it is probably scanned; run OCR first (e.g. ocrmypdf -l chi_sim in.pdf out.pdf) and add the result"
        )
    return Imported(tidy_lines(unwrap_lines(lines)), "pdf")


def read_html(data: bytes, path: Path) -> Imported:
    """A saved web page's main text (trafilatura), one paragraph per line.

    Navigation, share bars (分享到), previous/next links (上一篇/下一篇) and footers
    (版权所有, ICP) are dropped. The page's title is put first when the body text
    does not repeat it. A page with under ``MIN_PAGE_CHINESE`` Chinese characters of
    main text is refused: that is a menu or an error page, not a plan.
    """
    import trafilatura

    result = trafilatura.bare_extraction(data, with_metadata=True, include_tables=True, include_comments=False)
    text = tidy_lines((result.text or "").splitlines()) if result is not None else ""
    chinese = len(_HAN.findall(text))
    if chinese < MIN_PAGE_CHINESE:
        raise EmptyDocumentError(
            path, f"the page's main text has {chinese} Chinese characters ({text[:30].replace(chr(10), ' ')!r}), not a plan; "
            "save the page that shows the plan's full text, or copy the text into a .txt"
        )
    hints = {k: str(getattr(result, k)) for k in ("title", "url") if getattr(result, k, None)}
    title = hints.get("title", "").strip()
    if title and title not in text.splitlines():
        text = title + "\n" + text
    return Imported(text, "html", hints=hints)


READERS: dict[str, Callable[[bytes, Path], Imported]] = {
    ".txt": read_txt,
    ".docx": read_docx,
    ".pdf": read_pdf,
    ".html": read_html,
    ".htm": read_html,
}
_ADVICE = {
    ".doc": "legacy Word .doc is not read; save it as .docx in Word or LibreOffice (soffice --headless --convert-to docx FILE)",
    ".wps": "WPS files are not read; save it as .docx in WPS Office",
    ".mht": "web archives are not read; save the page as 'HTML only' (.html)",
    ".mhtml": "web archives are not read; save the page as 'HTML only' (.html)",
}


def import_file(path: str | Path) -> Imported:
    """Read a plan from ``path`` by its extension: .txt, .docx, .pdf, .html or .htm."""
    path = Path(path)
    ext = path.suffix.lower()
    if ext not in READERS:
        advice = _ADVICE.get(ext, f"use one of {', '.join(READERS)}")
        raise ImportRefused(f"{path}: unknown extension {ext or '(none)'!r}; {advice}")
    data = read_bounded(path, MAX_PLAN_BYTES if ext == ".txt" else MAX_ORIGINAL_BYTES, "of text" if ext == ".txt" else "file")
    if not data.strip():
        raise EmptyDocumentError(path, "the file is empty; a plan needs its text")
    return replace(READERS[ext](data, path), original=data)
