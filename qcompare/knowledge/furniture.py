"""Page furniture: web-page and print lines that are not part of a plan, read from ``data/furniture.yml``.

Used where a text enters (importers) and where it is split into clauses, so both drop the
same lines.
"""

from __future__ import annotations

import re
from functools import cache

from qcompare.knowledge.data import data_yaml


@cache
def _furniture() -> re.Pattern:
    rules = data_yaml("furniture.yml")
    return re.compile("|".join(f"(?:{r['pattern']})" for r in rules))


def is_furniture(line: str) -> bool:
    """True for a web-page or print line that is not part of the plan.

    >>> is_furniture("第 3 页 共 9 页"), is_furniture("image.pngimage.png"), is_furniture("一、总体要求")
    (True, True, False)
    """
    return _furniture().fullmatch(line.strip()) is not None
