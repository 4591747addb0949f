"""Typed errors: one line each, naming the file, row or field, and what to do."""

from __future__ import annotations

from pathlib import Path


class QcompareError(Exception):
    """Base class: every error the suite raises on bad input or a failed step."""

    exit_code = 2

    def __reduce__(self):
        # Rebuilt from its message and fields, not its __init__ arguments, so an error
        # raised in a `build --jobs N` worker crosses back to the parent intact.
        return _rebuild, (type(self), self.args, self.__dict__)


def _rebuild(cls: type, args: tuple, fields: dict) -> QcompareError:
    error = Exception.__new__(cls)
    error.args = args
    error.__dict__.update(fields)
    return error


class InputError(QcompareError):
    """A raw file that cannot be read as a plan."""

    def __init__(self, path: str | Path, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class EmptyDocumentError(InputError):
    """The file holds no text."""


class BinaryFileError(InputError):
    """The file is not text (control bytes, no Chinese characters)."""


class UnknownEncodingError(InputError):
    """No supported encoding decodes the file."""


class TooLargeError(InputError):
    """The text is far larger than any one plan (several plans, or a whole site, in one file)."""


class MetadataError(InputError):
    """The sidecar `<id>.meta.yml` is missing, unreadable or has wrong fields."""

    def __init__(self, path: str | Path, reason: str, suggestion: str = ""):
        self.suggestion = suggestion
        super().__init__(path, reason)


class SchemaError(QcompareError):
    """A table violates its declared schema."""

    def __init__(self, table: str, column: str | None, reason: str, row: object = None):
        self.table, self.column, self.row = table, column, row
        where = f"table {table!r}" + (f", column {column!r}" if column else "")
        where += f", row {row!r}" if row is not None else ""
        super().__init__(f"{where}: {reason}")


class BuildError(QcompareError):
    """One or more plans failed to build; nothing was written."""

    def __init__(self, failures: list[InputError]):
        self.failures = failures
        lines = "\n".join(f"  {f}" for f in failures)
        super().__init__(
            f"{len(failures)} plan(s) failed, nothing written (use --keep-going to build the rest):\n{lines}"
        )


class ImportRefused(QcompareError):
    """`qcompare add` refused a file; nothing was written."""


class UnknownNameError(QcompareError, KeyError):
    """A name (indicator, family, jurisdiction) that the taxonomy or the corpus does not hold."""

    def __init__(self, kind: str, name: object, matches: list[str], where: str):
        self.kind, self.name, self.matches = kind, name, matches
        hint = f"close matches: {', '.join(matches)}" if matches else "no close match"
        super().__init__(f"unknown {kind} {name!r}: {hint}; see {where}")

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0])


class NotebookError(QcompareError):
    """A notebook in notebooks/ that the report runner cannot use (unreadable, bad metadata)."""

    def __init__(self, path: str | Path, reason: str):
        self.path = Path(path)
        super().__init__(f"{self.path}: {reason}")


class KnowledgeError(QcompareError):
    """A curated data file (taxonomy, departments, gold, corrections, ...) that is malformed."""

    entry_word = "entry"

    def __init__(self, path: str | Path, entry: object, reason: str):
        self.path, self.entry = Path(path), entry
        where = f", {self.entry_word} {entry!r}" if entry is not None else ""
        super().__init__(f"{self.path}{where}: {reason}; fix the entry and rerun")


class TaxonomyError(KnowledgeError):
    """``data/taxonomy.yml`` is malformed: an entry lacks a field, repeats an id, or shares a phrasing."""

    entry_word = "indicator"


class CorrectionsError(QcompareError):
    """``data/corrections.yml`` is malformed: not YAML, a bad entry, or an entry naming several rows."""

    def __init__(self, path: str | Path, entry: object, reason: str):
        self.path, self.entry = Path(path), entry
        super().__init__(f"{self.path}: {entry}: {reason}" if entry is not None else f"{self.path}: {reason}")


class TargetsInReportWarning(UserWarning):
    """A bulletin or news text (sidecar doc_type) whose text holds targets: they are dropped, not kept silently."""

    def __init__(self, path: str | Path, doc_type: str, count: int):
        self.path, self.doc_type, self.count = Path(path), doc_type, count
        super().__init__(f"{self.path}: doc_type is {doc_type!r} but the text holds {count} target(s) (到2025年…);"
                         " they are dropped. Is it a plan? Then set doc_type: plan in its sidecar")


class UsageError(QcompareError):
    """A command given options that cannot work together, or none of those it needs."""


class StaleError(QcompareError):
    """The processed tables were not built from the current plans and package (``qc.load(build=False)``)."""

    def __init__(self, path: str | Path, reason: str):
        self.path = Path(path)
        super().__init__(f"{self.path}: {reason}")
