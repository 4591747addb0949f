"""qcompare: compare the quantitative targets of Chinese quality-policy plans.

    import qcompare as qc
    corpus = qc.load()          # documents, clauses, targets, ... as DataFrames
    corpus.targets.query("indicator_id == 'manufacturing_product_pass_rate'")
"""

from .build import build
from .corpus import Corpus, load
from .errors import QcompareError
from .schema import TABLES
from .reference import national
from .taxonomy import map_indicator, taxonomy

__all__ = ["Corpus", "QcompareError", "TABLES", "build", "load", "map_indicator", "national", "taxonomy"]
__version__ = "0.1.0"
