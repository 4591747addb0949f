"""Decoding raw plans: every supported encoding, and bad input refused with a clear error."""

from __future__ import annotations

import codecs

import pytest

from qcompare.errors import BinaryFileError, EmptyDocumentError, UnknownEncodingError
from qcompare.plan.reader import decode

from .conftest import RAW

YICHUN = (RAW / "yichun.txt").read_text(encoding="utf-8")
JIUJIANG = (RAW / "jiujiang-2024.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030", "utf-16", "utf-16-le", "utf-16-be"])
def test_simplified_plan_round_trips(encoding):
    text, detected = decode(YICHUN.encode(encoding))
    assert text == YICHUN, detected


def test_traditional_plan_in_big5():
    # Big5 has no code for the damaged '?' runs' neighbours, so drop what it cannot encode.
    big5 = JIUJIANG.encode("big5", errors="ignore")
    text, detected = decode(big5)
    assert detected == "big5"
    assert "製造業" in text or "制造業" in text


def test_sidecar_encoding_overrides_detection():
    data = YICHUN.encode("gbk")
    assert decode(data, encoding="gbk")[1] == "gbk"
    with pytest.raises(UnknownEncodingError, match="plan.txt: the sidecar's encoding 'utf-8'"):
        decode(data, "plan.txt", encoding="utf-8")


@pytest.mark.parametrize(
    "data, error, message",
    [
        (b"", EmptyDocumentError, "empty"),
        (b"  \n\r\n ", EmptyDocumentError, "empty"),
        (bytes(range(256)) * 40, BinaryFileError, "binary"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00\x01\x02\x03" * 500, BinaryFileError, "binary"),
        (b"plain ASCII with no Chinese at all\n" * 10, BinaryFileError, "no Chinese characters"),
    ],
)
def test_bad_input_is_refused_naming_the_file(data, error, message):
    with pytest.raises(error, match=rf"bad\.txt: .*{message}"):
        decode(data, "bad.txt")


def test_utf8_bom_is_not_kept():
    text, detected = decode(codecs.BOM_UTF8 + "质量强市".encode())
    assert text == "质量强市" and detected == "utf-8-sig"
