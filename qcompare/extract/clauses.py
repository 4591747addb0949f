"""Original text -> clauses: paragraph-level units with their heading path.

Reads one plan's original text; returns rows of the ``clauses`` table. Headings are
recognised by their numbering style (第一章, 一、, (一), 1., 1、, (1), ①); a style seen
before closes every deeper level, so nesting follows the order styles appear in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from qcompare.knowledge.furniture import is_furniture
from qcompare.plan.normalize import damage_spans, normalize

_CN = "一二三四五六七八九十百零〇两"
HEADING_STYLES = (
    ("chapter", re.compile(rf"第[{_CN}\d]+[章节部分编篇]\s*")),
    ("cn_dun", re.compile(rf"[{_CN}]+\s*[、.]\s*")),
    ("cn_paren", re.compile(rf"[(（]\s*[{_CN}]+\s*[)）]\s*")),
    ("arabic_paren", re.compile(r"[(（]\s*\d{1,2}\s*[)）]\s*")),
    ("arabic_dot", re.compile(r"\d{1,2}\s*\.(?!\d)\s*")),
    ("arabic_dun", re.compile(r"\d{1,2}\s*、\s*")),
    ("circled", re.compile(r"[①-⑳]\s*")),
)
MAX_HEADING = 40  # characters of a heading's own title, past which it is a paragraph
_BRACKETS = {")": "(", "）": "（", "〕": "〔", "]": "[", "】": "【"}
_RESPONSIBILITY = re.compile(r"^(?:责任单位|牵头单位|责任部门|主责单位|配合单位)|负责|牵头|配合")
_SPACE = " \t\r\n\u3000\u00a0\ufeff"


@dataclass(frozen=True)
class Clause:
    clause_id: int
    heading_path: str
    heading: str
    is_heading: bool
    text: str
    start: int
    end: int
    responsibility_raw: str | None
    flags: str | None


def match_heading(line: str) -> tuple[str, str, bool] | None:
    """``(style, heading_text, heading_only)`` when ``line`` opens with a numbered heading.

    >>> match_heading("(三)加快产品质量提档升级")
    ('cn_paren', '(三)加快产品质量提档升级', True)
    >>> match_heading("8.强化农产品食品药品质量安全。深入实施…")
    ('arabic_dot', '8.强化农产品食品药品质量安全', False)
    >>> match_heading("1.97件") is None
    True
    """
    for style, rx in HEADING_STYLES:
        m = rx.match(line)
        if not m or m.end() == len(line):
            continue
        rest = line[m.end():]
        head = re.split(r"[。,，;；:：]", rest, maxsplit=1)[0]
        heading_only = not rest[len(head):].strip(" 。") and len(head) <= MAX_HEADING
        head = head[:MAX_HEADING]
        return style, line[: m.end()].strip() + head.strip(), heading_only
    return None


def responsibility(line: str) -> str | None:
    """The responsibility note closing ``line``, without its outer brackets.

    >>> responsibility("…提升水平。(责任单位:市委宣传部〔市委网信办〕、市工信局)")
    '责任单位:市委宣传部〔市委网信办〕、市工信局'
    >>> responsibility("…加快发展。(省质监局、省农委等按职责分工负责)")
    '省质监局、省农委等按职责分工负责'
    >>> responsibility("建成4个专业镇(含产业集群)。") is None
    True
    """
    body = line.rstrip(_SPACE + "。.;；")
    if not body or body[-1] not in _BRACKETS:
        return None
    depth = 0
    for i in range(len(body) - 1, -1, -1):
        ch = body[i]
        if ch in _BRACKETS:
            depth += 1
        elif ch in _BRACKETS.values():
            depth -= 1
            if depth == 0:
                inner = body[i + 1 : -1].strip()
                return inner if _RESPONSIBILITY.search(inner) else None
    return None


def line_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each non-blank line, surrounding white space excluded.

    >>> line_spans("  一、目标\\r\\n\\n正文。 ")
    [(2, 6), (9, 12)]
    """
    spans, pos = [], 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip(_SPACE)
        if stripped:
            start = pos + len(line) - len(line.lstrip(_SPACE))
            spans.append((start, start + len(stripped)))
        pos += len(line)
    return spans


def split_clauses(text: str, normalized: str | None = None) -> tuple[list[Clause], int]:
    """Clauses of one plan's original ``text``, and the number of furniture lines dropped.

    ``normalized`` is ``normalize(text)`` when the caller has it already (it has the same
    length, so each line is sliced from it instead of normalized again).
    """
    if normalized is None:
        normalized = normalize(text)
    clauses: list[Clause] = []
    stack: list[tuple[str, str]] = []
    furniture = 0
    for start, end in line_spans(text):
        original = text[start:end]
        line = normalized[start:end]
        if is_furniture(line):
            furniture += 1
            continue
        heading = match_heading(line)
        if heading:
            style = heading[0]
            depth = next((i for i, (s, _) in enumerate(stack) if s == style), len(stack))
            stack[depth:] = [(style, heading[1])]
        flags = sorted({flag for _, _, flag in damage_spans(original)})
        clauses.append(
            Clause(
                clause_id=len(clauses) + 1,
                heading_path=" > ".join(h for _, h in stack),
                heading=stack[-1][1] if stack else "",
                is_heading=bool(heading and heading[2]),
                text=line,
                start=start,
                end=end,
                responsibility_raw=responsibility(line),
                flags=";".join(flags) or None,
            )
        )
    return clauses, furniture
