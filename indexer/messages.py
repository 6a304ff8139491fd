"""The message catalog: what the library says, in the reader's language.

The library speaks English templates with named fields (``"no document {doc_id} in the
catalog"``) and keeps the values apart (:class:`~dangan.indexer.errors.DanganError`'s
``template`` and ``params``, or a :class:`Message` for what is not an error: an intake
outcome, a check row's reason).  The template is the gettext ``msgid``; the translations are
ordinary gettext ``.po`` files under ``indexer/locale/<lang>/`` — one file per area of the
product, all of them read — so a translator edits them with any PO editor and Babel
(``babel.messages.pofile``) reads them without a compile step.

The web app always speaks ``zh_CN``; the command line follows the locale (``LC_ALL``,
``LC_MESSAGES``, ``LANG``) and speaks English unless it says Chinese.  A web reader never sees
the command-line ``fix`` (a ``dangan`` command to run) nor an English sentence: a template with
no translation yet falls back to a Chinese sentence for its kind of error.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from dangan.indexer.errors import DanganError, ExitCode

LOCALE_DIR = Path(__file__).with_name("locale")
WEB_LANG = "zh_CN"

# What a Chinese reader is told when a template has no translation yet: the kind of problem,
# never the English text.  Kept short; the catalog is where real sentences belong.
_FALLBACK_ZH = {
    ExitCode.internal: "出现了内部错误，请联系管理员。",
    ExitCode.usage: "输入的内容不正确，请检查后重试。",
    ExitCode.incomplete: "档案尚不完整。",
    ExitCode.input_error: "文件或数据无法使用，请检查后重新提交。",
    ExitCode.not_found: "找不到所要的内容。",
    ExitCode.config_error: "配置或模板有误，请联系管理员。",
    ExitCode.conflict: "与已有内容冲突。",
    ExitCode.verify_failed: "档案库校验未通过。",
    ExitCode.missing_dependency: "服务器缺少所需的程序，请联系管理员。",
    ExitCode.busy: "档案库正忙，请稍后再试。",
    ExitCode.disk_full: "服务器磁盘空间不足，请联系管理员。",
}


@dataclass(frozen=True)
class Message:
    """A sentence the library says that is not an error: an English template and its values."""

    template: str
    params: dict[str, object] = field(default_factory=dict)
    fix: str = ""  # command-line advice (a `dangan` command), never shown on the web

    @property
    def text(self) -> str:
        """The English sentence without the command-line advice."""
        return self.template.format(**self.params) if self.params else self.template

    def __str__(self) -> str:
        return f"{self.text}; {self.fix}" if self.fix else self.text


@lru_cache(maxsize=8)
def catalog(lang: str) -> dict[str, str]:
    """Every translated template of ``lang`` (msgid → msgstr), from all its ``.po`` files."""
    from babel.messages.pofile import read_po  # only readers in another language pay for Babel

    table: dict[str, str] = {}
    folder = LOCALE_DIR / lang
    for po in sorted(folder.glob("*.po")) if folder.is_dir() else []:
        with po.open("rb") as fh:
            for entry in read_po(fh, locale=lang):
                if entry.id and entry.string and not entry.fuzzy and isinstance(entry.id, str):
                    table[entry.id] = str(entry.string)
    return table


def translate(template: str, lang: str, params: dict[str, object] | None = None) -> str | None:
    """``template`` in ``lang`` with ``params`` filled in; None when it has no translation."""
    if lang.startswith("en"):
        text: str | None = template
    else:
        text = catalog(lang).get(template)
    if text is None:
        return None
    return text.format(**params) if params else text


def say(what: DanganError | Message, lang: str = WEB_LANG) -> str:
    """What a reader of ``lang`` is told: an error or message, translated, without the CLI fix.

    English readers get the template filled in (for an error, also its ``fix``, since the
    command line is where English is read).
    """
    if isinstance(what, Message):
        if lang.startswith("en"):
            return str(what)
        return translate(what.template, lang, _said(what.params, lang)) or say_text(what.text, lang) or what.text
    if lang.startswith("en"):
        return what.message
    text = translate(getattr(what, "template", what.message), lang, _said(what.params, lang))
    if text is None:
        text = say_text(_error_text(what), lang)
    if text is None and lang == WEB_LANG and _is_chinese(_error_text(what)):
        text = _error_text(what)  # raised in Chinese already (the web app's own checks)
    return text if text is not None else _FALLBACK_ZH[what.exit_code]


_CJK = re.compile(r"[\u4e00-\u9fff]")
_ENGLISH = re.compile(r"[A-Za-z]{2,}[ ,;:]+[A-Za-z]{2,}")  # two English words in a row


def _is_chinese(text: str) -> bool:
    """A Chinese sentence (it may carry a code or a file name, not English words)."""
    return bool(_CJK.search(text)) and not _ENGLISH.search(text) and "dangan " not in text


def _error_text(err: DanganError) -> str:
    """The error's English sentence without its command-line advice."""
    template = getattr(err, "template", err.message)
    return template.format(**err.params) if err.params else template


def _said(params: dict[str, object], lang: str) -> dict[str, object]:
    """Values that are themselves messages (a reason inside an outcome, an English sentence
    the catalog knows) said in ``lang`` too; names, codes and numbers stay as they are."""
    said: dict[str, object] = {}
    for k, v in params.items():
        if isinstance(v, (Message, DanganError)):
            said[k] = say(v, lang)
        else:
            said[k] = (isinstance(v, str) and say_text(v, lang)) or v
    return said


@lru_cache(maxsize=8)
def _patterns(lang: str) -> list[tuple[re.Pattern[str], str]]:
    """Each template of ``lang`` with fields, as a pattern that reads the values back out of
    the English sentence; the longest templates first, so the most specific one wins."""
    found = []
    for template in sorted(catalog(lang), key=len, reverse=True):
        parts = re.split(r"\{(\w+)(?:![rs])?\}", template)
        if len(parts) == 1 or sum(c.isalpha() for c in "".join(parts[::2])) < 3:
            continue  # no field, or only fields: "{name} {problem}" would match anything
        seen: set[str] = set()
        regex = ""
        for i, p in enumerate(parts):
            if i % 2 == 0:
                regex += re.escape(p)
            else:  # a field named twice must hold the same value both times
                regex += f"(?P={p})" if p in seen else f"(?P<{p}>.+?)"
                seen.add(p)
        found.append((re.compile(regex + r"\Z", re.S), template))
    return found


def say_text(text: str, lang: str = WEB_LANG, _depth: int = 0) -> str | None:
    """``lang``'s sentence for an English sentence the library wrote out as plain text (an
    event's reason, a stored date note); None when the catalog does not know it.

    Sentences kept in the catalog's database or JSON are plain text, not templates; each is
    matched against the catalog's templates and the values it carries are put into the
    translation (values that are sentences of their own are translated too).
    """
    if lang.startswith("en") or not text:
        return text
    table = catalog(lang)
    if text in table:
        return table[text]
    for pattern, template in _patterns(lang):
        match = pattern.match(text)
        if match:
            values = {k: (_depth < 3 and say_text(v, lang, _depth + 1)) or v for k, v in match.groupdict().items()}
            return table[template].format(**values)
    return _say_parts(text, lang, _depth) if _depth < 3 else None


def _say_parts(text: str, lang: str, depth: int) -> str | None:
    """A sentence of several clauses joined by "; " (a review reason with its cause first):
    each run of clauses said on its own, the longest run that the catalog knows first."""
    parts = text.split("; ")
    if len(parts) < 2:
        return None
    said, i = [], 0
    while i < len(parts):
        for j in range(len(parts), i, -1):
            if j - i == len(parts):
                continue  # the whole sentence was tried already
            one = say_text("; ".join(parts[i:j]), lang, depth + 1)
            if one is not None:
                said.append(one.rstrip("。"))
                i = j
                break
        else:
            return None
    return "；".join(said)


def cli_lang(environ: dict[str, str] | None = None) -> str:
    """The command line's language from the POSIX locale variables: ``zh_CN`` or ``en``."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return WEB_LANG if value.lower().startswith("zh") else "en"
    return "en"
