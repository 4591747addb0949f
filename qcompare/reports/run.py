"""Run one report in a worker process: a notebook through papermill, then HTML through nbconvert.

Reads one notebook; writes ``reports/<name>.ipynb`` and ``reports/<name>.html`` atomically
when it runs, or ``reports/<name>.failed.ipynb`` (the executed copy with the traceback) when
it fails, leaving the earlier good outputs in place. papermill and nbconvert are imported
once per worker process, by :func:`init_worker`, never by the process that plans the run.
"""

from __future__ import annotations

import json
import os
import re
import sys
import threading
import time
from pathlib import Path

from qcompare.atomic import move_atomic, write_atomic

KERNEL = "qcompare"
FIGURE_FILE = re.compile(r"figures[/\\]([^/\\'\"\s,\])]+?\.(?:png|svg))")
PORT_CLASH = re.compile(r"Address already in use|EADDRINUSE|Kernel died before replying to kernel_info")

FONT_DIR = "fonts"
HTML_LANG = {"zh": "zh-CN", "en": "en"}

_exporters: dict[bool, object] = {}


def kernel_spec_dir(tmp: Path) -> Path:
    """A Jupyter data folder whose ``kernels/qcompare`` runs this interpreter's environment.

    The kernelspec ``make`` installs (``ipykernel install --sys-prefix --name qcompare``) when
    present; otherwise one written into ``tmp`` that starts the current interpreter.
    """
    installed = Path(sys.prefix) / "share" / "jupyter"
    if (installed / "kernels" / KERNEL / "kernel.json").is_file():
        return installed
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": f"{KERNEL} ({sys.executable})",
        "language": "python",
    }
    write_atomic(tmp / "kernels" / KERNEL / "kernel.json", json.dumps(spec, indent=1))
    return tmp


def die_with_parent(parent: int, every: float = 1.0) -> None:
    """End this worker when ``parent`` (the ``qcompare report`` process) dies, even by kill -9.

    On Linux the kernel sends SIGKILL at once (prctl PR_SET_PDEATHSIG); elsewhere, and for a
    parent gone before that call, a thread checks the parent pid every ``every`` seconds.
    A kernel the worker started sees its own parent go (ipykernel's parent poller) and ends too.
    """
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(every)
        os._exit(1)

    threading.Thread(target=watch, name="qcompare-parent-watch", daemon=True).start()


def init_worker(root: str, jupyter_dir: str, log: str, parent: int | None = None) -> None:
    """Point this worker (and the kernels it starts) at the project and its kernel; import once.

    The worker's and its kernels' stderr go to ``log`` (kernel start-up chatter, crash output),
    so the terminal keeps the progress bar and the summary. The worker dies with ``parent``.
    """
    die_with_parent(parent or os.getppid())
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(fd, 2)
    os.close(fd)
    os.environ["QCOMPARE_HOME"] = root
    os.environ["JUPYTER_PATH"] = os.pathsep.join(p for p in (jupyter_dir, os.environ.get("JUPYTER_PATH")) if p)
    import logging

    import nbconvert  # noqa: F401  (paid once per worker)
    import papermill  # noqa: F401

    logging.getLogger("papermill").setLevel(logging.ERROR)


def is_port_clash(exc: BaseException) -> bool:
    """True when a kernel failed to start because its ports were taken (papermill#511).

    >>> is_port_clash(RuntimeError("zmq.error.ZMQError: Address already in use (addr='tcp://127.0.0.1:5301')"))
    True
    >>> is_port_clash(ZeroDivisionError("division by zero"))
    False
    """
    while exc is not None:
        if PORT_CLASH.search(f"{type(exc).__name__}: {exc}"):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def figures_named(nb) -> list[str]:
    """File names under ``figures/`` that the executed notebook's outputs mention, sorted."""
    names = set()
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            text = out.get("text", "") + str(out.get("data", {}).get("text/plain", ""))
            names.update(FIGURE_FILE.findall(text))
    return sorted(names)


def font_css(family: str, file_name: str) -> str:
    """A style block that loads the shipped CJK font from ``fonts/`` beside the report and
    makes it the page's first font, so the page needs no system font for Chinese."""
    stack = f'"{family}", "DejaVu Sans", sans-serif'
    return (f'<style>@font-face {{ font-family: "{family}"; src: url("{FONT_DIR}/{file_name}") format("opentype"); '
            f'font-display: block; }}\n'
            f':root {{ --jp-content-font-family: {stack}; --jp-ui-font-family: {stack}; }}\n'
            f'body {{ font-family: {stack}; }}</style>\n')


def with_lang_and_font(page: str, lang: str, css: str) -> str:
    """The HTML page with ``<html lang=...>`` for its language and ``css`` closing its head.

    >>> with_lang_and_font("<html>\\n<head></head>", "zh", "<style></style>")
    '<html lang="zh-CN">\\n<head><style></style></head>'
    """
    page = re.sub(r"<html[^>]*>", f'<html lang="{HTML_LANG[lang]}">', page, count=1)
    return page.replace("</head>", css + "</head>", 1)


def to_html(nb, show_code: bool, lang: str) -> str:
    """The executed notebook as standalone HTML in ``lang``; code cells hidden unless ``show_code``."""
    from qcompare.figures.fonts import cjk_font_path, register_cjk_font

    if show_code not in _exporters:
        from nbconvert import HTMLExporter

        hide = not show_code
        _exporters[show_code] = HTMLExporter(exclude_input=hide, exclude_input_prompt=hide, exclude_output_prompt=hide)
    body, _ = _exporters[show_code].from_notebook_node(nb)
    return with_lang_and_font(body, lang, font_css(register_cjk_font(), cjk_font_path().name))


def install_font(reports: Path) -> Path:
    """Copy the shipped CJK font into ``reports/fonts/`` (once), where every report's
    ``@font-face`` finds it."""
    from qcompare.figures.fonts import cjk_font_path

    source = cjk_font_path()
    target = reports / FONT_DIR / source.name
    if not target.exists() or target.stat().st_size != source.stat().st_size:
        write_atomic(target, source.read_bytes())
    return target


def cell_error(exc) -> str:
    """One line for a failed cell: where and what."""
    return f"cell In [{exc.exec_count}]: {exc.ename}: {exc.evalue}".strip()


def run_report(job: dict) -> dict:
    """Execute one report; return its outcome (never raises, so one failure stops nothing).

    ``job`` holds name, notebook, parameters, root, reports, figures and show_code (all
    plain values, so it crosses process boundaries).
    """
    import nbformat
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    name, reports, figures = job["name"], Path(job["reports"]), Path(job["figures"])
    staging = reports / ".staging"
    staging.mkdir(parents=True, exist_ok=True)
    out = staging / f"{name}.{os.getpid()}.ipynb"
    started = time.monotonic()
    error, attempts = None, 0
    for attempts in (1, 2):
        error = None
        try:
            pm.execute_notebook(
                job["notebook"], str(out), parameters=job["parameters"], kernel_name=KERNEL,
                cwd=job["root"], progress_bar=False, log_output=False, start_timeout=120,
                shutdown_kernel="immediate",  # outputs are in; saves ~0.4 s a notebook
            )
        except PapermillExecutionError as exc:
            error = cell_error(exc)
        except Exception as exc:  # kernel start, timeouts, unreadable notebook
            error = f"{type(exc).__name__}: {exc}".strip()
            if attempts == 1 and is_port_clash(exc):
                continue
        break
    outcome = {"name": name, "attempts": attempts, "figures": [], "error": error}
    if error is None:
        try:
            nb = nbformat.read(out, as_version=4)
            write_atomic(reports / f"{name}.html", to_html(nb, job["show_code"], job["parameters"].get("lang", "zh")))
            outcome["figures"] = [f for f in figures_named(nb) if (figures / f).exists()]
            move_atomic(out, reports / f"{name}.ipynb")
            (reports / f"{name}.failed.ipynb").unlink(missing_ok=True)
        except Exception as exc:
            outcome["error"] = f"HTML export failed: {type(exc).__name__}: {exc}"
    if outcome["error"] is not None and out.exists():
        move_atomic(out, reports / f"{name}.failed.ipynb")
    outcome["status"] = "ok" if outcome["error"] is None else "failed"
    outcome["duration_s"] = round(time.monotonic() - started, 2)
    return outcome
