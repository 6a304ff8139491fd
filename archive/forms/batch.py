"""Rendering a batch: validated rows become one .docx each (and a PDF with ``pdf``).

Rows are validated before anything is written.  Files appear atomically (a temporary name
in the output folder, then one rename), so an interrupted batch never leaves a half-written
form behind.  Large batches render in a process pool whose workers compile the template once.
"""

from __future__ import annotations

import os
import re
import resource
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from dangan.archive.forms.checks import check_sources
from dangan.archive.forms.engine import Source
from dangan.archive.forms.fallback import Renderer
from dangan.archive.forms.filters import allowed_filters
from dangan.archive.forms.images import resolve_images
from dangan.archive.forms.limits import MAX_WORKER_MB
from dangan.archive.forms.manifest import FormSpec, pattern_problem
from dangan.archive.forms.pdf import Progress, convert_to_pdf, find_soffice
from dangan.archive.forms.rows import CheckedRows, RowProblem, check_rows
from dangan.archive.forms.sandbox import refused, sandboxed_env
from dangan.archive.forms.values import form_context
from dangan.indexer.errors import DataError, InputFileError, TemplateError, UsageError
from dangan.indexer.fsutil import atomic_path


@dataclass(frozen=True)
class Rendered:
    """One rendered form: the spreadsheet row it came from and the files written for it."""

    row: int
    docx: Path
    pdf: Path | None = None


@dataclass(frozen=True)
class BatchResult(Sequence[Rendered]):
    """What a batch did: the forms it ``rendered`` and the rows it ``skipped`` (with --skip-invalid).

    It is also the sequence of rendered forms itself, so ``for r in render_batch(...)`` and
    ``[r] = render_batch(...)`` read the rendered forms.
    """

    rendered: list[Rendered]
    skipped: list[RowProblem]

    def __len__(self) -> int:
        return len(self.rendered)

    def __getitem__(self, index):  # int or slice, like the list it wraps
        return self.rendered[index]


def render_batch(
    form: FormSpec,
    rows: Sequence[Mapping[str, Any]],
    out_dir: Path,
    *,
    jobs: int | None = None,
    pdf: bool = False,
    name_pattern: str | None = None,
    skip_invalid: bool = False,
    company: str = "",
    progress: Progress | None = None,
    images_dir: Path | None = None,
) -> BatchResult:
    """Render one .docx per data row into ``out_dir`` (and a PDF beside each with ``pdf``).

    Every row is validated first: with any problem (and not ``skip_invalid``) a DataError
    listing them is raised and nothing is written.  Problems with the columns themselves
    stop the batch even with ``skip_invalid``.  At most ``jobs`` worker processes (default:
    one per CPU) each load the template once; ``docx_workers`` picks fewer when the batch is
    too small or the cores are busy, so a pool never makes a batch slower than rendering in
    this process (the files are identical either way).  Existing files of the same name are
    replaced.  With ``pdf`` a PDF is made beside each .docx; LibreOffice is looked for before
    anything is written.  Image fields name pictures relative to ``images_dir`` (the data
    file's folder; default: the current folder); every picture is looked up before anything
    is written.
    """
    return render_checked(
        form, check_rows(form, rows), out_dir, jobs=jobs, pdf=pdf, name_pattern=name_pattern,
        skip_invalid=skip_invalid, company=company, progress=progress, images_dir=images_dir,
    )  # fmt: skip


def render_checked(
    form: FormSpec,
    checked: CheckedRows,
    out_dir: Path,
    *,
    jobs: int | None = None,
    pdf: bool = False,
    name_pattern: str | None = None,
    skip_invalid: bool = False,
    company: str = "",
    progress: Progress | None = None,
    images_dir: Path | None = None,
) -> BatchResult:
    """:func:`render_batch` for rows already validated with :func:`check_rows`.

    For callers that need the count of valid rows before rendering (a progress bar), so
    the rows are validated once.
    """
    if not checked.has_data:
        raise DataError(f"no {form.title} to render: the data has no rows")
    typed, problems = checked.typed, checked.problems
    _stop_on_problems(form, typed, problems, skip_invalid)
    missing = resolve_images(form.fields, typed, Path(images_dir or "."))
    if missing:
        raise DataError(f"{len(missing)} picture{'s' if len(missing) != 1 else ''} of {form.title} not found; "
                        "nothing was written", missing)  # fmt: skip
    pattern = name_pattern or form.name_pattern
    problem = pattern_problem(form, pattern)
    if problem:
        raise UsageError(f'name pattern "{pattern}": {problem}')
    if pdf:
        find_soffice()  # before writing anything: a missing LibreOffice should not leave half a job
    template = form.template_path()
    renderer = Renderer(template, sandboxed_env(filters=allowed_filters(form.filters)))
    _stop_on_template_problems(template, form, renderer.sources)
    out = _prepare_out_dir(Path(out_dir))
    contexts = [form_context(form, values, company=company) for values in typed]
    names = output_names(form, typed, contexts, pattern)
    tasks = [(v["_row"], ctx, str(out / name)) for v, ctx, name in zip(typed, contexts, names)]
    paths = _render_all(renderer, tasks, docx_workers(len(tasks), jobs), progress, form.filters)
    pdfs: list[Path | None] = [None] * len(paths)
    if pdf:
        # LibreOffice takes ~0.2 s a page, so its workers pay from a few files on.
        pdfs = list(convert_to_pdf(paths, jobs=max(1, jobs or os.cpu_count() or 1), progress=progress))
    rendered = [Rendered(row=t[0], docx=p, pdf=q) for t, p, q in zip(tasks, paths, pdfs)]
    return BatchResult(rendered=rendered, skipped=list(problems))


def _stop_on_problems(form: FormSpec, typed: list[dict], problems: list[RowProblem], skip_invalid: bool) -> None:
    texts = [p.text for p in problems]
    if any(p.row is None for p in problems):
        raise DataError(f"the data's columns do not fit {form.title}; nothing was written", texts)
    if problems and not skip_invalid:
        bad = len({p.row for p in problems})
        raise DataError(
            f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {bad} of {len(typed) + bad} rows "
            f"of {form.title} data; nothing was written (fix them, or render only the valid rows with --skip-invalid)",
            texts,
        )
    if not typed:
        raise DataError(f"no {form.title} to render: every row has problems", texts)


def _stop_on_template_problems(path: Path, form: FormSpec, sources: list[Source]) -> None:
    """Unknown tags would print as blanks on every form: refuse them before writing."""
    blocking = [f.text for f in check_sources(path, form, sources) if f.kind != "unused"]
    if blocking:
        more = f" (and {len(blocking) - 1} more; see `dangan forms check {path}`)" if len(blocking) > 1 else ""
        raise TemplateError(blocking[0] + more)


def _prepare_out_dir(out: Path) -> Path:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError) as e:
        raise UsageError(f"--out {out}: is a file, not a folder; choose a folder") from e
    except OSError as e:
        raise UsageError(f"--out {out}: cannot create the folder ({e.strerror}); choose another") from e
    return out


_UNSAFE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f\x7f]')
_RESERVED_NAMES = {"CON", "PRN", "AUX", "NUL"} | {f"{p}{i}" for p in ("COM", "LPT") for i in range(1, 10)}
MAX_NAME_BYTES = 150  # leaves room for _NN, .docx and the temporary name's additions under the 255-byte limit


def safe_filename(text: str) -> str:
    """``text`` made usable as a file name on Windows and Linux (may return "")."""
    name = _UNSAFE_CHARS.sub("_", unicodedata.normalize("NFC", text))
    name = re.sub(r"\s+", " ", name).strip(" .")
    if name.split(".")[0].upper() in _RESERVED_NAMES:
        name = "_" + name
    while len(name.encode("utf-8")) > MAX_NAME_BYTES:
        name = name[:-1]
    return name.rstrip(" .")


def output_names(
    form: FormSpec, typed: Sequence[Mapping[str, Any]], contexts: Sequence[Mapping[str, Any]], pattern: str
) -> list[str]:
    """One safe, unique .docx name per row from ``pattern``; repeats get _2, _3 (case-blind,
    as on Windows)."""
    seen: set[str] = set()
    names = []
    for seq, (values, ctx) in enumerate(zip(typed, contexts), 1):
        fields: dict[str, Any] = {k: v for k, v in ctx.items() if isinstance(v, str)}
        fields.update(row=values["_row"], seq=seq, form=form.id, title=form.title)
        try:
            raw = pattern.format_map(fields)
        except (ValueError, KeyError, IndexError, AttributeError, TypeError) as e:
            raise UsageError(f'name pattern "{pattern}": {e}; write placeholders as {{field}}') from e
        base = safe_filename(raw) or f"{form.id}_{values['_row']}"
        name, n = base, 2
        while name.casefold() in seen:
            name, n = f"{base}_{n}", n + 1
        seen.add(name.casefold())
        names.append(name + ".docx")
    return names


_Task = tuple[int, dict, str]  # (spreadsheet row, template context, final path)


# A pool worker costs 0.3–1 s to start (interpreter, imports, compiling the template) while
# this process renders 600–1,200 forms a second, and validation, contexts and creating files
# in one folder stay serial: each worker needs this many rows to win its start back
# (bench/FORMS.md: 500 rows took 2.1 s with two workers, 1.2 s in-process).
ROWS_PER_WORKER = 2000


def docx_workers(rows: int, jobs: int | None = None) -> int:
    """How many processes render ``rows`` forms: at most ``jobs`` (default: every CPU), no
    more than the cores idle now, one per ``ROWS_PER_WORKER`` rows; 1 means in-process."""
    free = free_cores()
    return max(1, min(jobs or free, free, rows // max(1, ROWS_PER_WORKER)))


def free_cores() -> int:
    """CPUs this process may use minus the 1-minute load average (at least 1): a worker on a
    busy core only adds start-up and switching to the batch."""
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        busy = os.getloadavg()[0]
    except (AttributeError, OSError):  # no load average (Windows): trust the CPU count
        busy = 0.0
    return max(1, int(cpus - busy + 0.5))


def _render_all(
    renderer: Renderer, tasks: list[_Task], jobs: int, progress: Progress | None, filters: tuple[str, ...] = ()
) -> list[Path]:
    tick = progress or (lambda _step: None)
    if jobs <= 1 or len(tasks) < 2:
        out = []
        for task in tasks:
            out.append(_render_task(renderer, task))
            tick("docx")
        return out
    workers = min(jobs, len(tasks))
    # Small chunks keep the progress bar moving; large enough to amortise the pickling.
    chunk = max(1, min(16, len(tasks) // (workers * 4)))
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_pool_context(),
        initializer=_worker_init,
        initargs=(str(renderer.path), filters),
    )
    out = []
    try:
        for path in pool.map(_worker_render, tasks, chunksize=chunk):
            out.append(Path(path))
            tick("docx")
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)
    return out


def _pool_context():
    """forkserver (preloaded with the rendering libraries) where there is one, else spawn.

    Not plain fork: the caller may be running threads (the progress bar), and forking a
    threaded process can deadlock.  Like any spawn-based pool, a script calling
    render_batch with jobs > 1 needs the ``if __name__ == "__main__":`` guard.
    """
    import multiprocessing

    if "forkserver" in multiprocessing.get_all_start_methods():
        ctx = get_context("forkserver")
        ctx.set_forkserver_preload(["dangan.archive.forms.batch", "docxtpl", "docx", "jinja2", "lxml.etree"])
        return ctx
    return get_context("spawn")


_WORKER_TEMPLATE: Renderer | None = None


def _worker_init(path: str, filters: tuple[str, ...]) -> None:
    """Load and compile the template once per worker process (with the form's filters)."""
    global _WORKER_TEMPLATE
    # A render escaping every sandbox bound stops at this cap (MemoryError, exit 6), not the machine.
    cap = MAX_WORKER_MB << 20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    _WORKER_TEMPLATE = Renderer(Path(path), sandboxed_env(filters=allowed_filters(filters)))


def _worker_render(task: _Task) -> str:
    assert _WORKER_TEMPLATE is not None, "worker used before _worker_init"
    return str(_render_task(_WORKER_TEMPLATE, task))


def _render_errors() -> tuple[type[BaseException], ...]:
    """What a user's template can raise while rendering a row (not our bugs: those propagate)."""
    from jinja2 import TemplateError as JinjaError

    return (JinjaError, ArithmeticError, TypeError, ValueError, LookupError, AttributeError)


def _render_task(renderer: Renderer, task: _Task) -> Path:
    """Write one form under a temporary name, then move it into place in one step."""
    from jinja2.exceptions import SecurityError

    row, ctx, final = task
    target = Path(final)
    try:
        # Not durable (no fsync per file): a thousand fsyncs would dominate a batch, and a
        # crash leaves the old file or none, never half of one; the batch is simply re-run.
        with atomic_path(target, durable=False) as tmp:
            renderer.write(ctx, tmp)
    except SecurityError as e:  # the sandbox refused something at render time
        raise refused(renderer.path, e) from e
    except RecursionError as e:  # a macro calling itself: Python's stack ran out first
        raise refused(renderer.path, SecurityError("a macro that calls itself without end is not allowed")) from e
    except MemoryError as e:  # past every sandbox bound, the form worker's memory cap
        raise refused(renderer.path, SecurityError("a form needing this much memory is not allowed")) from e
    except _render_errors() as e:
        what = f"row {row}" if row else target.name
        raise TemplateError(
            f"{renderer.path.name}: rendering {what} failed ({e.__class__.__name__}: {e}); "
            f"fix the template (see `dangan forms check {renderer.path}`)"
        ) from e
    except OSError as e:
        raise InputFileError(f"cannot write {target}: {e.strerror or e}; check the output folder") from e
    return target


def render_document(template: Any, context: Mapping[str, Any], out: Path, *, jinja_env: Any = None) -> Path:
    """Render one document (a register, a single form) from ``context`` to ``out``, atomically.

    The result is the package ``DocxTemplate(template).render(context, jinja_env,
    autoescape=True)`` + ``save(out)`` writes, rendered in the sandbox (see
    :mod:`dangan.archive.forms.sandbox`; from ``jinja_env`` only its filters and tests are used).
    ``template`` is a .docx path, or a ``DocxTemplate`` prepared with docxtpl's replacements,
    ``build_url_id`` or ``new_subdoc``.  Pictures, sub-documents, hyperlinks and replacements
    render through docxtpl itself (:mod:`dangan.archive.forms.fallback`), everything else through the
    compiled engine.  A refused template raises TemplateError and writes nothing.
    """
    return render_many(template, [context], [out], jinja_env=jinja_env)[0]


def render_many(
    template: Any, contexts: Iterable[Mapping[str, Any]], outs: Sequence[Path], *, jinja_env: Any = None
) -> list[Path]:
    """:func:`render_document` for many documents of one template, compiled once, in this process.

    ``contexts`` is consumed one at a time, so a caller may build each context's docxtpl
    objects (``new_subdoc``, ``build_url_id``) just before its document is rendered, as a
    docxtpl loop does.  Each file is written atomically; it stops at the first error.
    """
    renderer = Renderer(template, sandboxed_env(jinja_env))  # template problems before any folder is made
    done = []
    for context, out in zip(contexts, outs):
        out = Path(out)
        _prepare_out_dir(out.parent)
        done.append(_render_task(renderer, (0, dict(context), str(out))))
    return done
