"""Workspace ids and share keys: random, checked before use, stored only as salted scrypt hashes, compared in
constant time."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Literal

Role = Literal["editor", "viewer"]
ROLES: tuple[Role, ...] = ("editor", "viewer")

ID_BYTES = 8
ID_PATTERN = re.compile(r"[0-9a-f]{16}")  # secrets.token_hex(8): a character class, so only ASCII hex digits
KEY_BYTES = 32  # 256 bits: guessing is hopeless, so the hash need not be slow; scrypt only adds a margin
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)
SALT_BYTES = 16
SCRYPT = {"n": 2**12, "r": 8, "p": 1, "dklen": 32}  # about 15 ms; the same cost for every key checked
SCHEME = "scrypt-n4096-r8-p1"
_STAND_IN_KEY = "0" * 43  # hashed in place of a malformed key, so every check costs the same


def new_workspace_id() -> str:
    return secrets.token_hex(ID_BYTES)


def is_valid_id(value: object) -> bool:
    """Whether `value` has the exact shape of a workspace id (16 lowercase hex digits), so that it is safe in a path:
    '../x', 'a/b', long or unicode ids are refused before any path is built."""
    return isinstance(value, str) and len(value) == 2 * ID_BYTES and ID_PATTERN.fullmatch(value) is not None


def new_key() -> str:
    """A new link key. Never one starting with "-": the command line would read `--key -x…` as an option."""
    while True:
        key = secrets.token_urlsafe(KEY_BYTES)
        if not key.startswith("-"):
            return key


def _is_key_shaped(value: object) -> bool:
    return isinstance(value, str) and len(value) == 43 and KEY_PATTERN.fullmatch(value) is not None


def hash_key(key: str, salt: bytes) -> bytes:
    return hashlib.scrypt(key.encode("ascii"), salt=salt, **SCRYPT)


@dataclass(frozen=True)
class AccessRecord:
    """What is stored about a workspace's keys: a salt and the hash of each key, never a key."""

    salt: bytes
    editor: bytes
    viewer: bytes

    def as_json(self) -> dict[str, str]:
        return {"scheme": SCHEME, "salt": self.salt.hex(), "editor": self.editor.hex(), "viewer": self.viewer.hex()}

    @classmethod
    def from_json(cls, payload: object) -> AccessRecord | None:
        """The record in a parsed access.json, or None when it is not one."""
        if not isinstance(payload, dict) or payload.get("scheme") != SCHEME:
            return None
        try:
            return cls(*(bytes.fromhex(payload[name]) for name in ("salt", "editor", "viewer")))
        except (KeyError, TypeError, ValueError):
            return None


def new_access() -> tuple[AccessRecord, dict[Role, str]]:
    """A fresh salt and a fresh pair of keys: (the record to store, {role: key} to hand out once)."""
    salt = secrets.token_bytes(SALT_BYTES)
    keys: dict[Role, str] = {"editor": new_key(), "viewer": new_key()}
    while keys["viewer"] == keys["editor"]:  # never in practice; one key must never hold both roles
        keys["viewer"] = new_key()
    record = AccessRecord(salt, hash_key(keys["editor"], salt), hash_key(keys["viewer"], salt))
    return record, keys


# Checked against when there is no workspace (unknown or malformed id): the same work as for a real one.
_DECOY = AccessRecord(secrets.token_bytes(SALT_BYTES), secrets.token_bytes(32), secrets.token_bytes(32))


def role_of(record: AccessRecord | None, key: object) -> Role | None:
    """The role `key` opens in `record` ("editor" / "viewer"), else None.

    One path whatever the input: a missing record is replaced by a decoy and a malformed key by a stand-in, the key
    is hashed once, and both hashes are compared with hmac.compare_digest, so neither the answer nor the time tells
    an unknown workspace from a wrong key.
    """
    usable = record is not None and _is_key_shaped(key)
    checked = record if record is not None else _DECOY
    digest = hash_key(key if usable and isinstance(key, str) else _STAND_IN_KEY, checked.salt)
    is_editor = hmac.compare_digest(digest, checked.editor)
    is_viewer = hmac.compare_digest(digest, checked.viewer)
    if not usable:
        return None
    return "editor" if is_editor else "viewer" if is_viewer else None
