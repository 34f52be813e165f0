"""What the workspace functions raise: one sentence in ja / en and the exit status of the command line."""

from __future__ import annotations

from typing import Any

from kpi_core.messages import Sentence
from kpi_core.workspace.messages import render

EXIT_REFUSED = 1  # not found, read-only, locked, damaged, storage
EXIT_USAGE = 2  # a value the command cannot use


class WorkspaceError(ValueError):
    """One sentence for the user: ``key`` names it in kpi_core.workspace.messages, filled from ``params``.

    ``message`` is the English sentence (also ``str()``), ``message(lang)`` the sentence in ja / en; ``exit_status``
    is what the command line returns. A ValueError, so a caller that only knows ValueError still prints a sentence.
    """

    exit_status = EXIT_REFUSED

    def __init__(self, key: str, /, **params: Any) -> None:
        self.key = key
        self.code = key.removeprefix("workspace.")
        self.params = params
        self.message = Sentence(self._render)
        super().__init__(str(self.message))

    def _render(self, lang: str) -> str:
        return render(self.key, lang, **self.params)

    def __str__(self) -> str:
        return str(self.message)

    def __reduce__(self):  # picklable although the constructor takes keywords (multiprocessing, sandboxes)
        return (_rebuild, (type(self), self.key, self.params))


def _rebuild(cls: type[WorkspaceError], key: str, params: dict[str, Any]) -> WorkspaceError:
    error = WorkspaceError.__new__(cls)
    WorkspaceError.__init__(error, key, **params)
    return error


class WorkspaceNotFound(WorkspaceError):
    """No workspace with this id, or not with this key: the two are never told apart."""

    def __init__(self) -> None:
        super().__init__("workspace.not_found")


class WorkspaceReadOnly(WorkspaceError):
    """A viewer key asked to change the workspace."""

    def __init__(self) -> None:
        super().__init__("workspace.read_only")


class WorkspaceLocked(WorkspaceError):
    """Another editor holds the workspace until ``until`` (an ISO time in UTC)."""

    def __init__(self, until: str) -> None:
        super().__init__("workspace.locked", until=until)


class WorkspaceInvalid(WorkspaceError):
    """A name, setting or option the workspace cannot take."""

    exit_status = EXIT_USAGE


class WorkspaceStorageError(WorkspaceError):
    """The data directory cannot be written, or a workspace's files cannot be read."""
