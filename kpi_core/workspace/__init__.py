"""Workspaces: uploaded data, goals and settings saved under one data directory, shared by editor / viewer links."""

from __future__ import annotations

from kpi_core.workspace.allowed import is_allowed, normalise_allowed, parse_allowed
from kpi_core.workspace.errors import (
    WorkspaceError,
    WorkspaceInvalid,
    WorkspaceLocked,
    WorkspaceNotFound,
    WorkspaceReadOnly,
    WorkspaceStorageError,
)
from kpi_core.workspace.snapshots import SnapshotInfo, StoredFile
from kpi_core.workspace.store import DATA_DIR_ENV, resolve_data_dir
from kpi_core.workspace.workspaces import (
    CreatedWorkspace,
    Settings,
    Workspace,
    WorkspaceSummary,
    create_workspace,
    list_workspaces,
    open_workspace,
    remove_stale_temp,
    revoke_links,
    set_allowed,
    share_link,
)

__all__ = [
    "DATA_DIR_ENV",
    "CreatedWorkspace",
    "Settings",
    "SnapshotInfo",
    "StoredFile",
    "Workspace",
    "WorkspaceError",
    "WorkspaceInvalid",
    "WorkspaceLocked",
    "WorkspaceNotFound",
    "WorkspaceReadOnly",
    "WorkspaceStorageError",
    "WorkspaceSummary",
    "create_workspace",
    "is_allowed",
    "list_workspaces",
    "normalise_allowed",
    "open_workspace",
    "parse_allowed",
    "remove_stale_temp",
    "resolve_data_dir",
    "revoke_links",
    "set_allowed",
    "share_link",
]
