"""Number forms: Chinese numerals round-trip, every way of writing a value reads as one
target with that value, and share forms are never read as a bare number or a 分 score."""

from __future__ import annotations

import math

from hypothesis import given, settings
from hypothesis import strategies as st

from qcompare.extract.numbers import parse_chinese, parse_number, render_chinese
from qcompare.extract.targets import clause_targets
from qcompare.plan.normalize import normalize

FAST = settings(max_examples=200, deadline=None)
MULTIPLIER = {"万": 10_000, "亿": 100_000_000}
_FULL = str.maketrans("0123456789.", "０１２３４５６７８９．")


@FAST
@given(st.integers(min_value=0, max_value=10**16))
def test_chinese_numeral_round_trip(n):
    assert parse_chinese(render_chinese(n)) == n


def _renderings(n: int) -> list[tuple[str, str]]:
    """(text of the value with its unit, unit family) for one integer count or share."""
    forms = [(f"{n}家", "家"), (f"{n:,}家", "家"), (f"{render_chinese(n)}家", "家"), (f"{str(n).translate(_FULL)}家", "家")]
    if n % 1000 == 0 and n >= 10_000:
        forms.append((f"{n / 10_000:g}万家", "家"))
    return forms


@FAST
@given(st.integers(min_value=2, max_value=9_999_999))
def test_every_count_rendering_gives_one_row_with_the_value(n):
    for written, unit in _renderings(n):
        rows = clause_targets(normalize(f"全市培育质量标杆企业达到{written}。"), 1, "", None)
        assert len(rows) == 1, (written, rows)
        row = rows[0]
        scale = MULTIPLIER.get(row.unit[:-len(unit)], 1) if row.unit != unit else 1
        assert math.isclose(row.value * scale, n), (written, row)


@FAST
@given(st.integers(min_value=1, max_value=99), st.sampled_from(["", ".5"]))
def test_every_percentage_rendering_gives_one_row_with_the_value(whole, frac):
    value = float(f"{whole}{frac}")
    cn = render_chinese(whole) + ("点五" if frac else "")
    arabic = f"{whole}{frac}"
    for written in (f"{arabic}%", f"百分之{arabic}", f"百分之{cn}", f"{arabic.translate(_FULL)}％", f"百分之{arabic.translate(_FULL)}"):
        rows = clause_targets(normalize(f"产品质量合格率达到{written}。"), 1, "", None)
        assert [(r.value, r.unit) for r in rows] == [(value, "%")], written


@FAST
@given(st.integers(min_value=2, max_value=10), st.integers(min_value=1, max_value=9))
def test_shares_are_never_read_as_scores_or_bare_numbers(den, num):
    for written, value in ((f"{render_chinese(den)}分之{render_chinese(num)}", round(num / den * 100, 1)),
                           (f"千分之{render_chinese(num)}", num / 10),
                           (f"{render_chinese(num)}成", num * 10)):
        assert parse_number(written) == (value, "%")
        rows = clause_targets(normalize(f"企业质量管理体系认证覆盖率达到{written}以上。"), 1, "", None)
        assert [(r.unit, r.comparator) for r in rows] == [("%", ">=")], written
        assert math.isclose(rows[0].value, value), written
