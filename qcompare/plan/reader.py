"""Raw bytes -> original text: decode robustly, refuse what is not a plan."""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path

from charset_normalizer import from_bytes

from qcompare.errors import BinaryFileError, EmptyDocumentError, InputError, TooLargeError, UnknownEncodingError

MAX_PLAN_BYTES = 5_000_000  # the bundled plans are under 40 KB; 5 MB builds in seconds, 20 MB took 13 s and 0.9 GB

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Encodings tried when there is no BOM and the bytes are not UTF-8.
_CANDIDATES = ["gb18030", "big5", "utf_16_le", "utf_16_be"]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def decode(data: bytes, path: str | Path = "<bytes>", encoding: str | None = None) -> tuple[str, str]:
    """Decode a plan's bytes; return ``(text, encoding)``.

    UTF-8 (with or without BOM), UTF-16/32 with BOM, then GB18030/GBK, Big5 and
    BOM-less UTF-16 by detection. ``encoding`` (a sidecar's ``encoding:``) overrides
    detection. Raises a typed :class:`~qcompare.errors.InputError` naming ``path``.

    >>> decode("质量强市".encode("gbk"))
    ('质量强市', 'gb18030')
    >>> decode(codecs.BOM_UTF8 + "质量".encode())
    ('质量', 'utf-8-sig')
    """
    if not data.strip():
        raise EmptyDocumentError(path, "the file is empty; a plan needs its text")
    if encoding:
        try:
            text = data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise UnknownEncodingError(path, f"the sidecar's encoding {encoding!r} does not decode it ({exc})") from None
    else:
        text, encoding = _detect(data, path)
    _check_is_text(text, path)
    return text, encoding


def _detect(data: bytes, path: str | Path) -> tuple[str, str]:
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(name), name
            except UnicodeDecodeError:
                break
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    if b"\x00" not in data:  # strict decoding separates most GB and Big5 texts
        decoded = {name: _try_decode(data, name) for name in ("gb18030", "big5")}
        decoded = {name: text for name, text in decoded.items() if text is not None}
        if len(decoded) == 1:
            return next(iter(decoded.values())), next(iter(decoded))
        if decoded:  # both decode: the right one spells mostly common characters
            name = max(decoded, key=lambda n: _common_share(decoded[n], n))
            return decoded[name], name
    best = from_bytes(data, cp_isolation=_CANDIDATES).best()
    if best is None:
        reason = "binary data, not text" if b"\x00" in data else "no supported encoding decodes it"
        cls = BinaryFileError if b"\x00" in data else UnknownEncodingError
        raise cls(path, f"{reason} (tried UTF-8, UTF-16, GB18030, Big5); set `encoding:` in the sidecar if you know it")
    return str(best), best.encoding


# Lead bytes of each encoding's block of frequent characters: GB2312 level 1, Big5 常用字.
_COMMON_LEADS = {"gb18030": ("gb2312", range(0xB0, 0xD8)), "big5": ("big5", range(0xA4, 0xC7))}


def _common_share(text: str, name: str) -> float:
    """Share of Han characters in ``name``'s block of frequent characters.

    Text decoded with the wrong one of GB18030 and Big5 is mostly rare characters.

    >>> _common_share("质量强市", "gb18030"), _common_share("窐講Ч庈", "gb18030")
    (1.0, 0.0)
    """
    codec, leads = _COMMON_LEADS[name]
    han = _HAN.findall(text)
    common = 0
    for ch in han:
        try:
            common += ch.encode(codec)[0] in leads
        except UnicodeEncodeError:
            pass
    return common / len(han) if han else 0.0


def _try_decode(data: bytes, name: str) -> str | None:
    try:
        return data.decode(name)
    except UnicodeDecodeError:
        return None


def _check_is_text(text: str, path: str | Path) -> None:
    controls = len(_CONTROL.findall(text))
    if controls > max(2, len(text) // 1000):
        raise BinaryFileError(path, f"{controls} control characters: this is binary data, not a text plan")
    if not _HAN.search(text):
        raise BinaryFileError(path, "no Chinese characters: not a plan's text (wrong file or wrong encoding?)")


def check_size(size: int, path: str | Path, limit: int = MAX_PLAN_BYTES, what: str = "of text") -> None:
    """Refuse ``size`` bytes over ``limit``: several plans, or a whole site, in one file."""
    if size > limit:
        raise TooLargeError(path, f"{size / 1e6:.1f} MB {what}, over the {limit / 1e6:g} MB limit for one plan: "
                            "several plans or a whole site in one file? split it into one file per plan")


def read_bounded(path: str | Path, limit: int = MAX_PLAN_BYTES, what: str = "of text") -> bytes:
    """A regular file's bytes, refused before reading when it is not a file or is over ``limit``.

    Its size is checked from ``stat`` first and at most ``limit + 1`` bytes are read, so a
    file that grows, or a symlink to a device such as /dev/zero, never fills memory.

    >>> read_bounded("/dev/zero")
    Traceback (most recent call last):
    qcompare.errors.InputError: /dev/zero: not a regular file (a character device); give the plan's file itself
    """
    path = Path(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        reason = "a symlink to a file that does not exist" if path.is_symlink() else "the file does not exist"
        raise InputError(path, f"{reason}; check the name or copy the file in") from None
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror or exc})") from None
    if not stat.S_ISREG(info.st_mode):
        kind = "a directory" if stat.S_ISDIR(info.st_mode) else _KINDS.get(stat.S_IFMT(info.st_mode), "not a file")
        raise InputError(path, f"not a regular file ({kind}); give the plan's file itself")
    check_size(info.st_size, path, limit, what)
    try:
        with open(path, "rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        raise InputError(path, f"cannot read the file ({exc.strerror or exc})") from None
    check_size(len(data), path, limit, what)
    return data


_KINDS = {stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device", stat.S_IFIFO: "a named pipe", stat.S_IFSOCK: "a socket"}


def read_text(path: str | Path, encoding: str | None = None) -> tuple[str, str, bytes]:
    """Read and decode a raw plan file; return ``(text, encoding, raw_bytes)``."""
    data = read_bounded(path)
    text, enc = decode(data, path, encoding)
    return text, enc, data
