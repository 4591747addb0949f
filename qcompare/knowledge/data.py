"""The package's curated data files (``qcompare/data/*.yml``), each parsed once per process.

Several modules read the same file (the lexicon, the taxonomy); one cached reader parses it
once, with libyaml's C loader when PyYAML has it (ten times faster: a build worker starts
sooner). Callers get the parsed object itself: read it, never change it.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files

import yaml

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def parse_yaml(text: str):
    """Safe YAML (no tags that build objects), with the C loader when there is one.

    >>> parse_yaml("a: [1, 2]")
    {'a': [1, 2]}
    """
    return yaml.load(text, Loader=_LOADER)


@cache
def data_yaml(name: str):
    """``qcompare/data/<name>`` parsed, once per process.

    >>> data_yaml("lexicon.yml")["aspirational"][:2]
    ['力争', '争取']
    """
    return parse_yaml(files("qcompare").joinpath(f"data/{name}").read_text(encoding="utf-8"))


def longest_first(words) -> tuple[str, ...]:
    """A word list for matching: each word once, longer words first, so 及以上 is tried before 以上.

    >>> longest_first(["以上", "及以上", "以上"])
    ('及以上', '以上')
    """
    return tuple(sorted(set(words), key=lambda w: (-len(w), w)))
