"""The Jinja environment every template renders in: sandboxed, autoescaped, with no loader.

Templates are untrusted (people edit them in the home) and so is the data filling them
(spreadsheets).  Jinja's ``SandboxedEnvironment`` refuses attribute access such as
``''.__class__.__mro__`` or ``cycler.__init__.__globals__`` while rendering; on top of it,
every template is checked when it is parsed, so such an expression, or an ``{% include %}``
/ ``{% import %}`` / ``{% extends %}`` (which would read files), stops the job before
anything is written, with the expression named.  The same environment serves the compiled
engine and the docxtpl path (docxtpl parses through ``env.from_string`` too).

Custom filters come only from :data:`dangan.archive.forms.filters.ALLOWED` (named in forms.toml)
or, for library callers, from the filters and tests of a ``jinja_env`` they pass in.
"""

from __future__ import annotations

from typing import Any, Iterator

from jinja2 import Template, nodes, pass_eval_context
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from dangan.archive.forms import limits as bounds
from dangan.indexer.errors import TemplateError

_FILE_NODES = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)


class RefusedTemplate(SecurityError):
    """A template expression refused when parsing; ``expression`` is its text."""

    def __init__(self, expression: str, why: str):
        super().__init__(f"{expression}: {why}")
        self.expression = expression
        self.why = why


MAX_REPEAT = 100_000  # 'x' * n, [..] * n: longer would only serve to exhaust memory
MAX_POWER = 1_000  # n ** k with k above this would only serve to exhaust CPU and memory


class BoundedTemplate(Template):
    """A template whose render is bounded in time and output size (``dangan.archive.forms.limits``).

    Rendered as a stream: each piece of output is counted as it is produced, so a loop that
    would write a gigabyte stops at the limit instead of after it.
    """

    def render(self, *args: Any, **kwargs: Any) -> str:
        """Like Jinja's ``Template.render``, stopped at ``MAX_OUTPUT`` characters or ``MAX_SECONDS``."""
        ctx = self.new_context(dict(*args, **kwargs))
        with bounds.render_budget():
            try:
                return self.environment.concat(_counted(self.root_render_func(ctx)))
            except Exception:
                self.environment.handle_exception()


def _counted(chunks: Iterator[str]) -> Iterator[str]:
    size = 0
    for chunk in chunks:
        size += len(chunk)
        bounds.check_output(size)
        yield chunk


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja's code generator, with every ``a ~ b`` joined through ``environment.checked_concat``.

    ``~`` is no binary operator a sandbox can intercept, and ``{% set s = s ~ s ~ s %}`` ten
    times over makes gigabytes before anything is printed.
    """

    def visit_Concat(self, node: nodes.Concat, frame) -> None:
        # As Jinja's own visit_Concat (the join that escapes when autoescaping), wrapped.
        if frame.eval_ctx.volatile:
            join = "(markup_join if context.eval_ctx.volatile else str_join)"
        elif frame.eval_ctx.autoescape:
            join = "markup_join"
        else:
            join = "str_join"
        self.write(f"environment.checked_concat({join}, (")
        for arg in node.nodes:
            self.visit(arg, frame)
            self.write(", ")
        self.write("))")


class _Sandbox(SandboxedEnvironment):
    """Sandboxed at render time, and checked for unsafe expressions at parse time."""

    template_class = BoundedTemplate
    code_generator_class = _BoundedCodeGenerator

    def checked_concat(self, join, items: tuple) -> str:
        """``a ~ b ~ …`` refused when the joined text would be longer than ``MAX_TEXT``."""
        texts = tuple(item if isinstance(item, str) else str(item) for item in items)
        bounds.check_concat(sum(len(t) for t in texts))
        return join(items)

    # These operators are checked when rendering (and so never folded at compile time):
    # {{ 'x' * 10**10 }} or {{ '%01000000000d' % 1 }} would otherwise take all the memory.
    intercepted_binops = frozenset(["*", "**", "%", "+"])

    def call_binop(self, context, operator, left, right):
        """``left <operator> right``, refused when the result would be huge."""
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > MAX_POWER:
            raise SecurityError(f"a power above {MAX_POWER} is not allowed")
        if operator == "*":
            for seq, n in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(n, int) and len(seq) * n > MAX_REPEAT:
                    raise SecurityError(f"repeating text or a list beyond {MAX_REPEAT} items is not allowed")
        bounds.check_binop(operator, left, right)
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's own signature
        """A call from the template; a str method is refused when its result would be huge."""
        owner = getattr(__obj, "__self__", None)
        if isinstance(owner, str):
            bounds.check_str_method(owner, getattr(__obj, "__name__", ""), args, kwargs)
        else:
            bounds.check_time()
        return super().call(__context, __obj, *args, **kwargs)

    def wrap_str_format(self, value):
        """Jinja's sandboxed ``str.format``, refusing a huge width or precision first."""
        wrapped = super().wrap_str_format(value)
        if wrapped is None:
            return None
        text, is_map = value.__self__, value.__name__ == "format_map"

        def checked(*args, **kwargs):
            named = args[0] if is_map and args and isinstance(args[0], dict) else kwargs
            bounds.check_format_string(text, () if is_map else args, named)
            return wrapped(*args, **kwargs)

        return checked

    def _parse(self, source, name, filename):
        tree = super()._parse(source, name, filename)
        _refuse_unsafe(tree)
        return tree


def sandboxed_env(jinja_env: Any = None, filters: dict | None = None) -> SandboxedEnvironment:
    """A fresh sandboxed environment with autoescaping and no loader.

    ``filters`` (name -> function) are added as Jinja filters; from ``jinja_env`` (a caller's
    own docxtpl-style environment) only its filters and tests are taken, never its loader or
    globals, so a template still cannot reach the file system or Python's internals.
    """
    env = _Sandbox(autoescape=True)
    # lipsum(n=10**9) would generate text until memory runs out; no form needs filler text.
    env.globals.pop("lipsum", None)
    if jinja_env is not None:
        env.filters.update(getattr(jinja_env, "filters", {}))
        env.tests.update(getattr(jinja_env, "tests", {}))
    env.filters.update(filters or {})
    _bound_filters(env)
    return env


def _bound_filters(env: SandboxedEnvironment) -> None:
    """range, and the filters whose argument sets the size of their result, within bounds."""
    env.globals["range"] = bounds.bounded_range
    for name in bounds.SIZED_FILTERS:
        if name in env.filters:
            env.filters[name] = bounds.bounded_filter(name, env.filters[name])
    percent, replace = env.filters.get("format"), env.filters.get("replace")
    if percent is not None:

        def checked_format(value, *args, **kwargs):
            bounds.check_percent_format(str(value), kwargs or args)
            return percent(value, *args, **kwargs)

        env.filters["format"] = checked_format
    if replace is not None:

        @pass_eval_context
        def checked_replace(eval_ctx, value, old, new, count=None):
            bounds.check_str_method(str(value), "replace", (str(old), str(new)), {})
            return replace(eval_ctx, value, old, new, count)

        env.filters["replace"] = checked_replace


def _refuse_unsafe(tree: nodes.Template) -> None:
    """Raise RefusedTemplate for a private attribute or a file-reading tag."""
    for stmt in tree.find_all(_FILE_NODES):
        tag = type(stmt).__name__.lower().replace("fromimport", "from … import")
        raise RefusedTemplate("{% " + tag + " %}", "templates may not read other files")
    for node in tree.find_all((nodes.Getattr, nodes.Getitem, nodes.Filter)):
        if isinstance(node, nodes.Filter):  # {{ x|attr('__class__') }}
            key = _const(node.args[0]) if node.name == "attr" and node.args else None
        elif isinstance(node, nodes.Getattr):
            key = node.attr
        else:  # a Getitem: {{ x['__class__'] }}
            key = _const(node.arg) if isinstance(node, nodes.Getitem) else None
        if isinstance(key, str) and key.startswith("_"):
            raise RefusedTemplate(expression_text(node), f"access to {key} is not allowed")


def _const(node: nodes.Node) -> Any:
    return node.value if isinstance(node, nodes.Const) else None


def expression_text(node: nodes.Node) -> str:
    """An expression written back roughly as the template had it (for error messages)."""
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Const):
        return repr(node.value)
    if isinstance(node, nodes.Getattr):
        return f"{expression_text(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem):
        return f"{expression_text(node.node)}[{expression_text(node.arg)}]"
    if isinstance(node, nodes.Call):
        return f"{expression_text(node.node)}(…)"
    if isinstance(node, nodes.Filter):
        args = ", ".join(expression_text(a) for a in node.args)
        return f"{expression_text(node.node) if node.node else ''}|{node.name}" + (f"({args})" if args else "")
    if isinstance(node, (nodes.Tuple, nodes.List)):
        inner = ", ".join(expression_text(i) for i in node.items)
        return f"({inner})" if isinstance(node, nodes.Tuple) else f"[{inner}]"
    return "…"


def refused(template: Any, e: SecurityError) -> TemplateError:
    """The one-line error for a template the sandbox refused (exit 6)."""
    expression = getattr(e, "expression", None)
    what = f"expression {expression} refused ({getattr(e, 'why', e)})" if expression else f"expression refused ({e})"
    return TemplateError(f"{template}: {what}; templates may only print fields, fix the template in Word")
