"""Typed errors of the dangan library, each carrying its exit code.

The library (``archive/``, ``indexer/``) raises these and never prints; the command line
turns them into one clear line and the documented exit code at the edge.  Every message
says what is wrong, which file/row/field, and what to do about it.  Third-party errors are
translated where they occur: ``raise InputFileError(...) from e``.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any


class ExitCode(IntEnum):
    """Process exit codes; documented in the README and stable for scripts."""

    ok = 0
    internal = 1  # a bug: please report it with --debug output
    usage = 2  # bad arguments or options (also click's own usage errors)
    incomplete = 3  # `dangan check`: the archive lacks required documents
    input_error = 4  # an input file or data row cannot be used
    not_found = 5  # no such home, project, item, document, form or checklist
    config_error = 6  # a broken checklist, template, manifest or dangan.toml
    conflict = 7  # something already exists (project, home) or is in the way
    verify_failed = 8  # `dangan verify`: vault or index disagrees with the catalog
    missing_dependency = 9  # an external program (e.g. LibreOffice) is not installed
    busy = 10  # another process holds the archive's writer lock
    disk_full = 11  # no space left where dangan writes (vault, index, catalog, inbox)


class DanganError(Exception):
    """Base of every error the library raises on purpose."""

    exit_code: ExitCode = ExitCode.internal
    # A message code and its parameters, for a reader in another language (the web app's
    # Chinese catalog); empty for errors that have none yet.
    code: str = ""
    params: dict[str, object]

    def __init__(self, message: str, /, *, fix: str = "", code: str = "", **params: object):
        """``message`` is an English template with named ``{fields}`` filled from ``params``.

        The template (not the filled text) is the key of the message catalog
        (``dangan.indexer.messages``), so a reader in another language gets the same sentence
        with the same values.  ``fix`` is advice for the command line only (a ``dangan``
        command to run): the web app never shows it.
        """
        self.template = message
        self.params = dict(params)
        self.fix = fix
        if code:
            self.code = code
        text = message.format(**params) if params else message
        self.message = f"{text}; {fix}" if fix else text
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


class UsageError(DanganError):
    """An argument has an invalid value (bad project code, unknown role name…)."""

    exit_code = ExitCode.usage


class QueryError(UsageError):
    """A search query is empty or cannot be parsed."""


class NotFoundError(DanganError):
    """Something named by the user does not exist."""

    exit_code = ExitCode.not_found


class NoHomeError(NotFoundError):
    """No archive home where one was expected."""


class UnknownProjectError(NotFoundError):
    """No project with that code."""


class UnknownItemError(NotFoundError):
    """No checklist item with that code or title in the project's checklist."""


class UnknownDocumentError(NotFoundError):
    """No document with that id in the catalog."""


class UnknownChecklistError(NotFoundError):
    """No checklist with that id in the home or shipped with dangan."""


class UnknownFormError(NotFoundError):
    """No form with that id in the manifest."""


class ConfigError(DanganError):
    """A configuration or data-definition file is broken."""

    exit_code = ExitCode.config_error


class ChecklistError(ConfigError):
    """A checklist file is invalid (names the file, the item and the problem)."""


class TemplateError(ConfigError):
    """A form template or the forms manifest is invalid."""


class InputFileError(DanganError):
    """An input file cannot be used (corrupt, encrypted, empty, unsupported…)."""

    exit_code = ExitCode.input_error


class CorruptFileError(InputFileError):
    """The file's content is damaged or not what its extension says."""


class EncryptedFileError(InputFileError):
    """The file is password-protected."""


class EmptyFileError(InputFileError):
    """The file has zero bytes or no pages."""


class UnsupportedFileError(InputFileError):
    """The file type is not one dangan can read."""


class DataError(InputFileError):
    """Rows of form data failed validation; ``problems`` lists one line per problem."""

    def __init__(self, message: str, problems: list | None = None, /, *, fix: str = "", **params: Any):
        super().__init__(message, fix=fix, **params)
        self.problems = list(problems or [])  # each an English line (str) or a Message


class ConflictError(DanganError):
    """Something already exists or is in the way."""

    exit_code = ExitCode.conflict


class DuplicateProjectError(ConflictError):
    """A project with that code already exists."""


class HomeNotEmptyError(ConflictError):
    """``init`` was pointed at a non-empty folder that is not an archive home."""


class IntegrityError(DanganError):
    """The vault or the index disagrees with the catalog."""

    exit_code = ExitCode.verify_failed


class MissingDependencyError(DanganError):
    """An external program dangan needs for this job is not installed."""

    exit_code = ExitCode.missing_dependency


class BusyError(DanganError):
    """Another process holds the writer lock."""

    exit_code = ExitCode.busy


class DuplicateDocumentError(ConflictError):
    """The same bytes (SHA-256) are already in the catalog."""

    def __init__(self, message: str, existing_id: int, /, *, fix: str = "", **params: Any):
        super().__init__(message, fix=fix, **params)
        self.existing_id = existing_id


class UnknownPersonError(NotFoundError):
    """A --person filter names nobody who holds a role or owns a document."""


class AuthError(DanganError):
    """A login, password or API token is wrong, or a user name or role is invalid."""

    exit_code = ExitCode.usage


class AccountDisabledError(AuthError):
    """The name and password are right, but an admin disabled this user."""

    def __init__(self, message: str, name: str, /, *, fix: str = "", **params: Any):
        super().__init__(message, fix=fix, name=name, **params)
        self.name = name


class TokenExpiredError(AuthError):
    """An API token that was right once, but whose time ran out."""

    def __init__(self, message: str, token_id: str, expired_at: object, /, *, fix: str = "", **params: Any):
        super().__init__(message, fix=fix, **params)
        self.token_id, self.expired_at = token_id, expired_at


class LoginThrottledError(AuthError):
    """Too many failed sign-ins for a user or from an address: refused until ``retry_after``."""

    exit_code = ExitCode.busy

    def __init__(self, message: str, retry_after: int, /, *, fix: str = "", **params: Any):
        super().__init__(message, fix=fix, **params)
        self.retry_after = retry_after  # seconds

    @property
    def minutes(self) -> int:
        """The wait in whole minutes, rounded up (what a person is told)."""
        return max(1, -(-self.retry_after // 60))


class PermissionDeniedError(DanganError):
    """The signed-in user's role does not allow this action."""

    exit_code = ExitCode.usage


class HandoverCheckError(DanganError):
    """The four-property check (四性检测) failed, so no handover package was written."""

    exit_code = ExitCode.incomplete

    def __init__(self, message: str, report: object = None, /, *, fix: str = "", **params: Any):
        super().__init__(message, fix=fix, **params)
        self.report = report


# -- hostile and odd input (issue 17) ------------------------------------------------------------
class LimitError(InputFileError):
    """An input file is over one of the [limits] in dangan.toml (size, pages, pixels, time…)."""


class UnsafeInputError(InputFileError):
    """An input that is not a plain file of its own: a symbolic link, a FIFO, a device."""


class SourceChangedError(InputFileError):
    """The input changed while it was being read; it stays where it is for the next pass."""


class IndexDamagedError(IntegrityError):
    """The search index's files are damaged; ``dangan reindex`` rebuilds it from the catalog."""


class DiskFullError(DanganError):
    """No space left on the disk dangan writes to; nothing is lost, the run can be repeated."""

    exit_code = ExitCode.disk_full


DISK_FULL_ERRNOS = (28, 122)  # ENOSPC, EDQUOT (a quota counts as full)


def disk_full(error: BaseException, where: object, note: str = "") -> DiskFullError | None:
    """The DiskFullError for an OSError (or a database error) that says the disk is full, else None."""
    full = getattr(error, "errno", None) in DISK_FULL_ERRNOS or any(
        s in str(error).lower() for s in ("disk is full", "no space left on device", "disk quota exceeded")
    )
    if not full:
        return None
    where = getattr(error, "filename", None) or where
    return DiskFullError("disk full at {where}: free space and run again{note}", where=where, note=note)
