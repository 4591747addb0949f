"""qcompare: compare the quantitative targets of Chinese quality-policy plans.

    import qcompare as qc
    corpus = qc.load()          # documents, clauses, targets, ... as DataFrames
    corpus.targets.query("indicator_id == 'manufacturing_product_pass_rate'")
"""

from qcompare import paths
from qcompare.build import build
from qcompare.analysis.brief import brief
from qcompare.analysis.compare import compare, coverage
from qcompare.analysis.profile import profile
from qcompare.corpus import Corpus, load
from qcompare.errors import QcompareError
from qcompare.schema import TABLES
from qcompare.knowledge.reference import national
from qcompare.knowledge.taxonomy import map_indicator, taxonomy
from qcompare.analysis.themes import distinctive_terms, shared_terms

__all__ = ["Corpus", "QcompareError", "TABLES", "brief", "build", "compare", "coverage", "plot", "load", "map_indicator", "national", "profile", "taxonomy", "distinctive_terms", "shared_terms"]
__version__ = paths.VERSION


def __getattr__(name: str):
    """``qc.plot`` is imported on first use, so the library loads without matplotlib."""
    if name == "plot":
        import importlib

        return importlib.import_module(".figures.plot", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
