"""Parse untrusted files in a child process with memory, CPU, file-size and wall-clock limits.

A native crash of a parser (an abort on a failed allocation, a segfault), a MemoryError or a parse that never ends
kills only the child: the server gets a ``SandboxError`` and turns it into one sentence for the user.

The child is a fresh interpreter (``python -I``: no PYTHON* variables, no user site) started with a minimal
environment (no secrets, no proxies), no inherited file descriptors, in its own session, in the temporary folder.
It imports its modules, then waits for one request (JSON) on stdin, so one child is kept started as a spare and a
workbook does not wait for an interpreter. It sets its own limits (address space, CPU, file size, no core file)
before it touches the file (``preexec_fn`` is not safe in a threaded server) and writes its answer to a file with a
generated name in the upload's working folder: a JSON header and raw buffers that the parent reads with
``numpy.frombuffer`` only (never pickle: a child taken over by a hostile file must not be able to run code in the
server). A child runs one request and exits; the parent kills its whole session on a timeout.

It is a process boundary, not a jail: the child runs as the server's user and could read what that user reads.

Cell data goes back column by column (``encode_columns`` / ``decode_columns``): numbers as float64, dates as day
numbers, date-times as microseconds, text joined by NUL, and a generic tagged form for mixed columns.
"""

from __future__ import annotations

import atexit
import contextlib
import datetime as dt
import itertools
import json
import logging
import os
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast

import numpy as np

_log = logging.getLogger(__name__)

SANDBOX_MEMORY_BYTES = 4 * 1024**3  # address space of the child (RLIMIT_AS)
SANDBOX_TIMEOUT_SECONDS = 120.0  # wall clock, enforced by the parent
SANDBOX_CPU_SECONDS = 180  # RLIMIT_CPU, a backstop to the wall clock
SANDBOX_OUTPUT_BYTES = 4 * 1024**3  # RLIMIT_FSIZE: the answer file (and anything else the child writes)
SANDBOX_KEEP_SPARE = True  # keep one started child waiting, so a workbook does not wait for an interpreter to start
SANDBOX_MAX_RUNNING = 2  # children parsing at once (each may use SANDBOX_MEMORY_BYTES); more uploads wait their turn
MEMORY_EXIT = 3  # the child's exit status after a MemoryError
_REQUEST_MAX_BYTES = 1024 * 1024
_STDERR_KEEP = 4000  # characters of the child's stderr kept for the log
_MAGIC = b"KPISBX1\n"
_ROOT = Path(__file__).resolve().parents[2]  # the folder holding kpi_core, put on the child's sys.path
# What the child may run: task name -> "module:function". Nothing else can be asked for.
TASKS = {
    "xlsx_table": "kpi_core.intake.files:sandbox_xlsx_table",
    "xlsx_sheets": "kpi_core.intake.files:sandbox_xlsx_sheets",
}
_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from kpi_core.intake.sandbox import child_main; child_main()"


class SandboxError(Exception):
    """The child did not answer: ``kind`` is "crash" (killed by a signal or a bad exit), "memory" (MemoryError or
    the address-space limit), "timeout", or "protocol" (an answer the parent cannot read). ``detail`` is for the
    log only."""

    def __init__(self, kind: str, detail: str = "") -> None:
        super().__init__(f"sandbox {kind}: {detail}")
        self.kind = kind
        self.detail = detail


# ------------------------------------------------------------------------------------------------ parent


def run(
    task: str,
    args: dict[str, Any],
    *,
    workdir: Path,
    timeout: float | None = None,
    memory: int | None = None,
) -> tuple[dict[str, Any], list[memoryview]]:
    """Run ``task`` in a sandboxed child; return its JSON header and buffers, or raise SandboxError.

    ``args`` must be JSON; paths in it are files the child may read. The answer file is created in ``workdir``
    under a generated name and removed before returning.
    """
    if task not in TASKS:
        raise ValueError(f"unknown sandbox task {task!r}")
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / f"sandbox_{uuid.uuid4().hex}.bin"
    timeout = SANDBOX_TIMEOUT_SECONDS if timeout is None else timeout
    request = {
        "task": task,
        "args": args,
        "out": str(out),
        "limits": {
            "memory": int(SANDBOX_MEMORY_BYTES if memory is None else memory),
            "cpu": int(SANDBOX_CPU_SECONDS),
            "output": int(SANDBOX_OUTPUT_BYTES),
        },
    }
    with _running:
        return _run_child(request, out, timeout)


def _run_child(request: dict[str, Any], out: Path, timeout: float) -> tuple[dict[str, Any], list[memoryview]]:
    child = _take_child()
    try:
        process = child.process
        try:
            process.communicate(json.dumps(request).encode(), timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            raise SandboxError("timeout", f"no answer after {timeout:.0f} s") from None
        except BaseException:
            _kill(process)
            raise
        status = process.returncode
        if status != 0:
            detail = _tail(child.stderr)
            if status == MEMORY_EXIT or "memory allocation of" in detail or "MemoryError" in detail:
                raise SandboxError("memory", f"exit {status}: {detail}")
            if status in (-signal.SIGXCPU, -signal.SIGKILL) and "memory" not in detail:
                raise SandboxError("timeout", f"exit {status}: {detail}")
            raise SandboxError("crash", f"exit {status}: {detail}")
        return _read_answer(out)
    finally:
        out.unlink(missing_ok=True)
        child.stderr.unlink(missing_ok=True)


@dataclass
class _Child:
    """A started child waiting for its one request on stdin, and the file its stderr goes to."""

    process: subprocess.Popen
    stderr: Path


_spare: _Child | None = None
_spare_lock = threading.Lock()
_running = threading.BoundedSemaphore(SANDBOX_MAX_RUNNING)


def prestart() -> None:
    """Start a spare child now (it imports its modules, then waits), so the next run() does not wait for an
    interpreter to start. Idempotent; a no-op when SANDBOX_KEEP_SPARE is off."""
    global _spare
    if not SANDBOX_KEEP_SPARE:
        return
    with _spare_lock:
        if _spare is not None and _spare.process.poll() is None:
            return
        _spare = _spawn()


def _take_child() -> _Child:
    """The spare child if one is waiting (a fresh one is started behind it), else a new child."""
    global _spare
    with _spare_lock:
        child, _spare = _spare, None
    if child is not None and child.process.poll() is not None:  # it died while waiting: start over
        child.stderr.unlink(missing_ok=True)
        child = None
    if child is None:
        child = _spawn()
    prestart()
    return child


def _spawn() -> _Child:
    handle, name = tempfile.mkstemp(prefix="kpi_sandbox_", suffix=".err")
    with os.fdopen(handle, "wb") as stderr:
        process = subprocess.Popen(
            [sys.executable, "-I", "-c", _BOOT, str(_ROOT)],
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            cwd=tempfile.gettempdir(),
            env=_child_env(),
            close_fds=True,
            start_new_session=True,
        )
    return _Child(process, Path(name))


@atexit.register
def _stop_spare() -> None:
    """Close the spare's stdin at exit: it reads end-of-file and leaves."""
    global _spare
    with _spare_lock:
        child, _spare = _spare, None
    if child is not None:
        with contextlib.suppress(OSError):
            cast(IO[bytes], child.process.stdin).close()  # the child is started with stdin=PIPE
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.process.wait(timeout=2)
        child.stderr.unlink(missing_ok=True)


def _child_env() -> dict[str, str]:
    """Only what the interpreter needs: no secrets, no proxies, one thread for numeric libraries."""
    env = {"LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8", "PYTHONHASHSEED": "0"}
    for key in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        env[key] = "1"
    env["PATH"] = os.defpath
    return env


def _kill(process: subprocess.Popen) -> None:
    """Kill the child's whole session (it is its own group leader) and reap it."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, OSError):
        process.kill()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover - a zombie the OS will reap
        _log.warning("sandbox child %s did not exit after SIGKILL", process.pid)


def _tail(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - _STDERR_KEEP))
            return handle.read().decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _read_answer(path: Path) -> tuple[dict[str, Any], list[memoryview]]:
    """The header and buffers of an answer file, checked for size and shape (never trusted further)."""
    try:
        size = path.stat().st_size
        if size > SANDBOX_OUTPUT_BYTES:
            raise SandboxError("protocol", f"answer of {size} bytes")
        data = path.read_bytes()
    except OSError as exc:
        raise SandboxError("protocol", f"no answer file: {exc}") from exc
    if not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + 8:
        raise SandboxError("protocol", "bad answer header")
    (length,) = struct.unpack_from("<Q", data, len(_MAGIC))
    start = len(_MAGIC) + 8
    if length > len(data) - start:
        raise SandboxError("protocol", "header longer than the answer")
    try:
        header = json.loads(data[start : start + length].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SandboxError("protocol", "header is not JSON") from exc
    sizes = header.get("_buffers") if isinstance(header, dict) else None
    if not isinstance(sizes, list) or not all(isinstance(s, int) and s >= 0 for s in sizes):
        raise SandboxError("protocol", "no buffer list")
    view = memoryview(data)
    offset = start + length
    buffers = []
    for size in sizes:
        if offset + size > len(data):
            raise SandboxError("protocol", "buffer past the end of the answer")
        buffers.append(view[offset : offset + size])
        offset += size
    return header, buffers


# ------------------------------------------------------------------------------------------------- child


def child_main() -> None:
    """Entry point of the child: its own modules first (a spare child waits after this), then the request, the
    limits, the task and the answer file."""
    with contextlib.suppress(Exception):
        import python_calamine  # noqa: F401

        import kpi_core.intake.files  # noqa: F401
    try:
        request = json.loads(sys.stdin.buffer.read(_REQUEST_MAX_BYTES).decode("utf-8"))
        _set_limits(request["limits"])
        out = Path(request["out"])
        module_name, function_name = TASKS[request["task"]].split(":")
    except Exception:  # a broken request: nothing to answer to
        traceback.print_exc()
        os._exit(2)
    try:
        module = __import__(module_name, fromlist=[function_name])
        function: Callable[[dict[str, Any]], tuple[dict[str, Any], list[bytes]]] = getattr(module, function_name)
        header, buffers = function(request["args"])
    except MemoryError:
        os._exit(MEMORY_EXIT)
    except Exception as exc:  # reported, so the parent can log it and say "could not be read"
        header, buffers = {"status": "error", "detail": "".join(traceback.format_exception(exc))[-_STDERR_KEEP:]}, []
    try:
        write_answer(out, header, buffers)
    except MemoryError:
        os._exit(MEMORY_EXIT)
    sys.stdout.flush()
    os._exit(0)  # no interpreter teardown: nothing left to clean up, and it is faster


def _set_limits(limits: dict[str, int]) -> None:
    import resource

    def cap(kind: int, value: int) -> None:
        _, hard = resource.getrlimit(kind)
        value = value if hard == resource.RLIM_INFINITY else min(value, hard)
        resource.setrlimit(kind, (value, value if hard == resource.RLIM_INFINITY else hard))

    cap(resource.RLIMIT_CORE, 0)  # an abort must not write a core file the size of the attempted allocation
    cap(resource.RLIMIT_AS, int(limits["memory"]))
    cap(resource.RLIMIT_CPU, int(limits["cpu"]))
    cap(resource.RLIMIT_FSIZE, int(limits["output"]))


def write_answer(path: Path, header: dict[str, Any], buffers: list[bytes]) -> None:
    """The answer file: magic, header length, JSON header (with the buffer sizes), then the buffers."""
    header = {**header, "_buffers": [len(b) for b in buffers]}
    encoded = json.dumps(header, ensure_ascii=False).encode("utf-8")
    with open(path, "wb") as handle:
        handle.write(_MAGIC + struct.pack("<Q", len(encoded)) + encoded)
        for buffer in buffers:
            handle.write(buffer)


# --------------------------------------------------------------------------------------------- cell codec

_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_US_PER_DAY = 86_400_000_000
# Tags of the generic (mixed) column form.
_NONE, _FLOAT, _STR, _BOOL, _DATETIME, _DATE, _TIME, _TIMEDELTA, _INT = range(9)


def encode_columns(data: np.ndarray, blank: np.ndarray | None = None) -> tuple[list[dict[str, Any]], list[bytes]]:
    """Each column of a 2-D object array (None for a blank cell; ``blank`` marks them when known) as a small
    header and raw buffers."""
    metas: list[dict[str, Any]] = []
    buffers: list[bytes] = []

    def add(*parts: bytes) -> list[int]:
        first = len(buffers)
        buffers.extend(parts)
        return list(range(first, len(buffers)))

    if blank is None:
        # numpy's stubs take no None operand, though np.equal compares object cells with it
        blank = np.equal(data, None) if data.size else np.zeros(data.shape, dtype=bool)  # type: ignore[call-overload]
    rows = data.shape[0]
    for j in range(data.shape[1]):
        column, empty = data[:, j], blank[:, j]
        kinds = set(map(type, column))
        kinds.discard(type(None))
        if not kinds:
            metas.append({"kind": "none"})
            continue
        mask = np.ascontiguousarray(empty).tobytes()
        if kinds == {float}:
            numbers = np.array(column.tolist(), dtype=np.float64)  # None becomes NaN, told apart by the mask
            metas.append({"kind": "float", "buffers": add(numbers.tobytes(), mask)})
            continue
        if kinds == {str}:
            filled = column.copy()
            filled[empty] = ""
            text = "\x00".join(filled.tolist())
            if text.count("\x00") == rows - 1:  # no NUL inside a cell: NUL can separate them
                metas.append({"kind": "str", "buffers": add(text.encode("utf-8", "surrogatepass"), mask)})
                continue
        elif kinds == {dt.date}:
            filled = column.copy()
            filled[empty] = dt.date(1970, 1, 1)
            days = np.fromiter(map(dt.date.toordinal, filled), np.int64, rows) - _EPOCH_ORDINAL
            metas.append({"kind": "date", "buffers": add(days.tobytes(), mask)})
            continue
        elif kinds == {dt.datetime} and all(v.tzinfo is None for v in column[~empty]):
            filled = column.copy()
            filled[empty] = dt.datetime(1970, 1, 1)
            metas.append({"kind": "datetime", "buffers": add(_datetime_us(filled.tolist()).tobytes(), mask)})
            continue
        metas.append({"kind": "mixed", "buffers": add(*_encode_mixed(column.tolist()))})
    return metas, buffers


def _datetime_us(values: list[Any]) -> np.ndarray:
    """Microseconds since 1970 of naive datetimes, without a Python-level subtraction per cell."""
    filled = values
    days = np.fromiter(map(dt.datetime.toordinal, filled), np.int64, len(filled)) - _EPOCH_ORDINAL
    parts = np.array([(v.hour, v.minute, v.second, v.microsecond) for v in filled], dtype=np.int64).reshape(-1, 4)
    seconds = parts[:, 0] * 3600 + parts[:, 1] * 60 + parts[:, 2]
    return days * _US_PER_DAY + seconds * 1_000_000 + parts[:, 3]


def _encode_mixed(values: list[Any]) -> tuple[bytes, bytes, bytes, bytes, bytes]:
    """Tags, float64 numbers, int64 integers / times, string offsets and the UTF-8 strings of a mixed column."""
    n = len(values)
    tags = np.zeros(n, dtype=np.uint8)
    numbers = np.zeros(n, dtype=np.float64)
    integers = np.zeros(n, dtype=np.int64)
    texts: list[bytes] = []
    offsets = np.zeros(n + 1, dtype=np.int64)
    size = 0
    for i, value in enumerate(values):
        kind = type(value)
        if value is None:
            pass
        elif kind is bool:
            tags[i], numbers[i] = _BOOL, float(value)
        elif kind is float:
            tags[i], numbers[i] = _FLOAT, value
        elif kind is int and -(2**63) <= value < 2**63:
            tags[i], integers[i] = _INT, value
        elif kind is dt.datetime and value.tzinfo is None:
            tags[i], integers[i] = _DATETIME, _datetime_us([value])[0]
        elif kind is dt.date:
            tags[i], integers[i] = _DATE, value.toordinal() - _EPOCH_ORDINAL
        elif kind is dt.time and value.tzinfo is None:
            tags[i] = _TIME
            integers[i] = ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond
        elif kind is dt.timedelta:
            tags[i], integers[i] = _TIMEDELTA, value // dt.timedelta(microseconds=1)
        else:
            encoded = (value if kind is str else str(value)).encode("utf-8", "surrogatepass")
            tags[i] = _STR
            texts.append(encoded)
            size += len(encoded)
        offsets[i + 1] = size
    return tags.tobytes(), numbers.tobytes(), integers.tobytes(), offsets.tobytes(), b"".join(texts)


@dataclass
class TypedColumn:
    """A column of one type as the sandbox sent it, for building a table without going through Python objects:
    "float" (float64, NaN where blank), "date" (int64 days since 1970), "datetime" (int64 microseconds since 1970)
    or "str" (object array, None where blank). ``blank`` marks the blank cells."""

    kind: str
    values: np.ndarray
    blank: np.ndarray


def decode_columns(
    metas: list[dict[str, Any]], buffers: list[memoryview], rows: int, typed: list[TypedColumn | None] | None = None
) -> list[np.ndarray]:
    """The object arrays ``encode_columns`` described (None for blanks); with ``typed``, also each column of one
    type as a TypedColumn (None for the others). Raises ValueError on any inconsistency."""
    columns = []
    for meta in metas:
        kind = meta.get("kind") if isinstance(meta, dict) else None
        parts = [_buffer(buffers, index) for index in meta.get("buffers", [])] if kind != "none" else []
        one_type = None
        if kind == "none":
            column = np.full(rows, None, dtype=object)
        elif kind in ("float", "str", "date", "datetime"):
            payload, blank = parts
            mask = _mask(blank, rows)
            if kind == "float":
                values = _frombuffer(payload, np.float64, rows)
                column = values.astype(object)
            elif kind == "str":
                pieces = bytes(payload).decode("utf-8", "replace").split("\x00")
                if len(pieces) != rows:
                    raise ValueError("string column of the wrong length")
                column = values = np.empty(rows, dtype=object)
                column[:] = pieces
            elif kind == "date":
                values = _frombuffer(payload, np.int64, rows)
                column = values.astype("datetime64[D]").astype(object)
            else:
                values = _frombuffer(payload, np.int64, rows)
                column = values.astype("datetime64[us]").astype(object)
            column[mask] = None
            one_type = TypedColumn(kind, values, mask)
        elif kind == "mixed":
            column = _decode_mixed(parts, rows)
        else:
            raise ValueError(f"unknown column kind {kind!r}")
        columns.append(column)
        if typed is not None:
            typed.append(one_type)
    return columns


def _buffer(buffers: list[memoryview], index: Any) -> memoryview:
    if not isinstance(index, int) or not 0 <= index < len(buffers):
        raise ValueError("buffer index out of range")
    return buffers[index]


def _frombuffer(buffer: memoryview, dtype: Any, rows: int) -> np.ndarray:
    if len(buffer) != rows * np.dtype(dtype).itemsize:
        raise ValueError("buffer of the wrong size")
    return np.frombuffer(buffer, dtype=dtype, count=rows)


def _mask(buffer: memoryview, rows: int) -> np.ndarray:
    return _frombuffer(buffer, np.uint8, rows).astype(bool)


def _decode_mixed(parts: list[memoryview], rows: int) -> np.ndarray:
    tag_buf, number_buf, integer_buf, offset_buf, text_buf = parts
    tags = _frombuffer(tag_buf, np.uint8, rows)
    numbers = _frombuffer(number_buf, np.float64, rows).tolist()
    integers = _frombuffer(integer_buf, np.int64, rows).tolist()
    offsets = _frombuffer(offset_buf, np.int64, rows + 1).tolist()
    text = bytes(text_buf)
    if offsets[0] != 0 or offsets[-1] != len(text) or any(b < a for a, b in itertools.pairwise(offsets)):
        raise ValueError("bad string offsets")
    epoch = dt.datetime(1970, 1, 1)
    column = np.full(rows, None, dtype=object)
    for i, tag in enumerate(tags.tolist()):
        if tag == _NONE:
            continue
        if tag == _FLOAT:
            column[i] = numbers[i]
        elif tag == _BOOL:
            column[i] = numbers[i] != 0.0
        elif tag == _INT:
            column[i] = integers[i]
        elif tag == _STR:
            column[i] = text[offsets[i] : offsets[i + 1]].decode("utf-8", "replace")
        elif tag == _DATETIME:
            column[i] = epoch + dt.timedelta(microseconds=integers[i])
        elif tag == _DATE:
            column[i] = dt.date.fromordinal(integers[i] + _EPOCH_ORDINAL)
        elif tag == _TIME:
            seconds, micro = divmod(integers[i], 1_000_000)
            minutes, second = divmod(seconds, 60)
            hour, minute = divmod(minutes, 60)
            column[i] = dt.time(hour, minute, second, micro)
        elif tag == _TIMEDELTA:
            column[i] = dt.timedelta(microseconds=integers[i])
        else:
            raise ValueError(f"unknown cell tag {tag}")
    return column


if __name__ == "__main__":  # python -m kpi_core.intake.sandbox (what the parent runs, by another door)
    child_main()
