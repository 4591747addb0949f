"""``qc.plot``: the public figure functions in one place.

    import qcompare as qc
    fig = qc.plot.compare("manufacturing_product_pass_rate", lang="en")
    qc.plot.save(fig)        # figures/compare_manufacturing_product_pass_rate_en.png and .svg

Each figure family lives in its own module (:mod:`.compare`, :mod:`.coverage`,
:mod:`.profile`, :mod:`.departments`, :mod:`.themes`), all drawn with the page kit :mod:`.page`.
"""

from qcompare.figures.compare import compare
from qcompare.figures.coverage import coverage
from qcompare.figures.profile import profile
from qcompare.figures.save import save

__all__ = ["compare", "coverage", "profile", "save"]
