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

    def __str__(self) -> str:
        return self.template.format(**self.params) if self.params else self.template


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
        return translate(what.template, lang, what.params) or str(what)
    if lang.startswith("en"):
        return what.message
    text = translate(getattr(what, "template", what.message), lang, what.params)
    return text if text is not None else _FALLBACK_ZH[what.exit_code]


def cli_lang(environ: dict[str, str] | None = None) -> str:
    """The command line's language from the POSIX locale variables: ``zh_CN`` or ``en``."""
    env = os.environ if environ is None else environ
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(var, "")
        if value:
            return WEB_LANG if value.lower().startswith("zh") else "en"
    return "en"
