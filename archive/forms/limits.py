"""What one template render may cost: text per expression, loop items, digits, output, time.

A template is edited by anyone with the home, so ``{{ 'x'.center(10**9) }}``,
``{{ ((9**999)**999)**999 }}`` or two nested ``range(100000)`` loops must end in a clear
refusal, not a gigabyte ``document.xml`` or a process that never ends.  The sandbox
(:mod:`dangan.archive.forms.sandbox`) asks this module before each expensive operation; each
check raises Jinja's ``SecurityError`` with the reason, which the renderers turn into the
one-line "expression refused" error (exit 6).  Real forms stay far below every bound: the
largest shipped register renders a few hundred KB.
"""

from __future__ import annotations

import re
import time
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, Iterator

from jinja2.exceptions import SecurityError

MAX_TEXT = 1_000_000  # characters one expression may produce (a padded, repeated or formatted text)
MAX_INT_BITS = 100_000  # about 30,000 digits: a power or product past it is refused before computing
MAX_LOOP_ITEMS = 1_000_000  # items all range() calls of one render may produce together
MAX_OUTPUT = 64_000_000  # characters one part of a form (document.xml) may have
MAX_SECONDS = 60.0  # one part of one form
MAX_WORKER_MB = 2048  # address space of a `forms render --jobs N` worker process

# A width or precision of seven digits or more in a format string ('{0:>1000000000}',
# '%01000000000d'): no form field needs a million characters of padding.
_HUGE_WIDTH = re.compile(r"\d{7,}")
# str methods whose first argument is the width of the result.
_WIDTH_METHODS = frozenset(["center", "ljust", "rjust", "zfill"])


@dataclass
class _Budget:
    deadline: float
    loop_items: int = MAX_LOOP_ITEMS


_BUDGET: ContextVar[_Budget | None] = ContextVar("dangan_render_budget", default=None)


@contextmanager
def render_budget() -> Iterator[None]:
    """The time and loop budget of one render (a template part for one form)."""
    token = _BUDGET.set(_Budget(time.monotonic() + MAX_SECONDS))
    try:
        yield
    finally:
        _BUDGET.reset(token)


def check_time() -> None:
    """SecurityError once the current render has run past ``MAX_SECONDS``."""
    budget = _BUDGET.get()
    if budget is not None and time.monotonic() > budget.deadline:
        raise SecurityError(f"rendering one form took longer than {MAX_SECONDS:g} seconds")


def take_loop_items(count: int) -> None:
    """Spend ``count`` loop items of the render's budget (nested loops multiply quickly)."""
    check_time()
    budget = _BUDGET.get()
    if budget is None:
        return
    budget.loop_items -= count
    if budget.loop_items < 0:
        raise SecurityError(f"loops of more than {MAX_LOOP_ITEMS:,} steps in one form are not allowed")


def check_output(size: int) -> None:
    """SecurityError once a part of the form being rendered is larger than ``MAX_OUTPUT``."""
    if size > MAX_OUTPUT:
        raise SecurityError(f"a form larger than {MAX_OUTPUT // 1_000_000} million characters is not allowed")
    check_time()


def _too_long(n: Any) -> bool:
    return isinstance(n, int) and n > MAX_TEXT


def _text_refusal() -> SecurityError:
    return SecurityError(f"text longer than {MAX_TEXT:,} characters is not allowed")


def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse ``left <operator> right`` when its result would be huge (text, list or integer)."""
    check_time()
    if operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0 and abs(left) > 1:
        if left.bit_length() * right > MAX_INT_BITS:
            raise SecurityError(f"a number of more than {MAX_INT_BITS:,} bits is not allowed")
    if operator == "*" and isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise SecurityError(f"a number of more than {MAX_INT_BITS:,} bits is not allowed")
    if operator == "%" and isinstance(left, str):
        check_percent_format(left, right)
    if operator == "+" and isinstance(left, (str, list, tuple)) and isinstance(right, (str, list, tuple)):
        if len(left) + len(right) > MAX_TEXT:
            raise _text_refusal()


def check_concat(length: int) -> None:
    """Refuse ``a ~ b ~ …`` whose joined text would be ``length`` > ``MAX_TEXT`` characters."""
    check_time()
    if length > MAX_TEXT:
        raise _text_refusal()


def check_percent_format(fmt: str, args: Any) -> None:
    """Refuse ``fmt % args`` with a huge width or precision (also one given by ``*``)."""
    values = args if isinstance(args, tuple) else (args,)
    if _HUGE_WIDTH.search(fmt) or ("*" in fmt and any(_too_long(v) for v in values)):
        raise _text_refusal()


def check_format_string(fmt: str, args: tuple, kwargs: dict) -> None:
    """Refuse ``fmt.format(...)`` with a huge width or precision, written or passed in."""
    nested = ":" in fmt and any(_too_long(v) for v in (*args, *kwargs.values()))
    if _HUGE_WIDTH.search(fmt) or nested:
        raise _text_refusal()


def check_str_method(text: str, name: str, args: tuple, kwargs: dict) -> None:
    """Refuse a str method call whose result would be longer than ``MAX_TEXT``."""
    check_time()
    first = args[0] if args else next(iter(kwargs.values()), None)
    if name in _WIDTH_METHODS and _too_long(first):
        raise _text_refusal()
    if name == "expandtabs" and isinstance(first, int) and len(text) + text.count("\t") * first > MAX_TEXT:
        raise _text_refusal()
    if name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        count = text.count(args[0]) if args[0] else len(text) + 1
        if len(text) + count * (len(args[1]) - len(args[0])) > MAX_TEXT:
            raise _text_refusal()
    if name in ("format", "format_map"):
        check_format_string(text, args, kwargs)


def bounded_range(*args: int) -> range:
    """``range`` for templates: each call spends its length from the render's loop budget."""
    rng = range(*args)
    take_loop_items(len(rng))
    return rng


# Filters with an argument that sets the size of the result: (name, argument position after
# the value, keyword).  ``indent(10**9)`` or ``batch(10**9, 'x')`` would fill the memory.
SIZED_FILTERS = {
    "indent": (0, "width"),
    "center": (0, "width"),
    "batch": (0, "linecount"),
    "slice": (0, "slices"),
    "tojson": (0, "indent"),
    "wordwrap": (0, "width"),
}


def bounded_filter(name: str, function):
    """``function`` (a Jinja filter) refusing a size argument above ``MAX_TEXT`` / 1,000.

    ``indent``'s width is repeated on every line and ``slice`` makes that many lists, so the
    bound for a size argument is a thousandth of ``MAX_TEXT`` (1,000 — wider than any page).
    """
    position, keyword = SIZED_FILTERS[name]
    limit = MAX_TEXT // 1000

    def checked(*args, **kwargs):
        # Filters that take the environment or context first get it as args[0]; the value
        # follows, then the size argument.
        offset = 2 if getattr(function, "jinja_pass_arg", None) else 1
        size = kwargs.get(keyword, args[offset + position] if len(args) > offset + position else None)
        if isinstance(size, int) and not isinstance(size, bool) and size > limit:
            raise SecurityError(f"{name}({size}) is not allowed (at most {limit:,})")
        return function(*args, **kwargs)

    if hasattr(function, "jinja_pass_arg"):  # Jinja passes the context or environment by this mark
        checked.jinja_pass_arg = function.jinja_pass_arg  # type: ignore[attr-defined]
    return checked
