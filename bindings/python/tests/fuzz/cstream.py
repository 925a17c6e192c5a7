"""A hand-made Arrow C stream producer (the PyCapsule interface, ``__arrow_c_stream__``) that
hands the library batches pyarrow would never let through: every batch is exported by pyarrow
and then *patched in place* (a child's length, offset or null count, a buffer pointer replaced by
a short or non-monotonic buffer, a dictionary pointer removed), or the stream fails mid-way with
an error code. This is what "any Arrow C-stream producer that does not validate" can send.

Only the child process of the fuzz runner builds these (a patched batch can crash its reader).
"""

from __future__ import annotations

import ctypes
from typing import Any

import pyarrow as pa


class ArrowSchema(ctypes.Structure):
    pass


class ArrowArray(ctypes.Structure):
    pass


ArrowArray._fields_ = [
    ("length", ctypes.c_int64),
    ("null_count", ctypes.c_int64),
    ("offset", ctypes.c_int64),
    ("n_buffers", ctypes.c_int64),
    ("n_children", ctypes.c_int64),
    ("buffers", ctypes.POINTER(ctypes.c_void_p)),
    ("children", ctypes.POINTER(ctypes.POINTER(ArrowArray))),
    ("dictionary", ctypes.POINTER(ArrowArray)),
    ("release", ctypes.c_void_p),
    ("private_data", ctypes.c_void_p),
]


class ArrowArrayStream(ctypes.Structure):
    pass


GET_SCHEMA = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ArrowArrayStream), ctypes.c_void_p)
GET_NEXT = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ArrowArrayStream), ctypes.POINTER(ArrowArray))
GET_LAST_ERROR = ctypes.CFUNCTYPE(ctypes.c_char_p, ctypes.POINTER(ArrowArrayStream))
RELEASE = ctypes.CFUNCTYPE(None, ctypes.POINTER(ArrowArrayStream))

ArrowArrayStream._fields_ = [
    ("get_schema", GET_SCHEMA),
    ("get_next", GET_NEXT),
    ("get_last_error", GET_LAST_ERROR),
    ("release", RELEASE),
    ("private_data", ctypes.c_void_p),
]

_capsule_new = ctypes.pythonapi.PyCapsule_New
_capsule_new.restype = ctypes.py_object
_capsule_new.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_void_p]

# patches: (column index, what, value)
#   ("length", n): the child's length (more rows than its buffers hold, or than the batch)
#   ("offset", n): the child's offset
#   ("null_count", n): the child's null count (e.g. nulls said but no validity bitmap)
#   ("buffer", (i, bytes)): buffer i replaced by these bytes (kept alive by the stream)
#   ("drop_buffer", i): buffer i set to NULL
#   ("no_dictionary", None): the dictionary pointer set to NULL
#   ("batch_length", n): the batch's own length (applied to the struct, column index ignored)
Patch = tuple[int, str, Any]


class PatchedStream:
    """An object with ``__arrow_c_stream__`` whose batches are ``batches`` with ``patches``
    applied to the first one; ``fail_at`` makes ``get_next`` fail (EIO) at that batch."""

    def __init__(self, batches: list[pa.RecordBatch], patches: list[Patch], fail_at: int | None = None):
        self.batches = batches
        self.schema = batches[0].schema if batches else pa.schema([])
        self.patches = patches
        self.fail_at = fail_at
        self._keep: list[Any] = []  # buffers and callbacks that must outlive the consumer

    def _apply(self, out: ArrowArray) -> None:
        for column, what, value in self.patches:
            if what == "batch_length":
                out.length = value
                continue
            child = out.children[column].contents
            if what in ("length", "offset", "null_count"):
                setattr(child, what, value)
            elif what == "buffer":
                i, data = value
                buf = ctypes.create_string_buffer(bytes(data), max(len(data), 1))
                self._keep.append(buf)
                if i < child.n_buffers:
                    child.buffers[i] = ctypes.cast(buf, ctypes.c_void_p).value
            elif what == "drop_buffer":
                if value < child.n_buffers:
                    child.buffers[value] = None
            elif what == "no_dictionary":
                child.dictionary = ctypes.POINTER(ArrowArray)()
            else:  # pragma: no cover
                raise ValueError(what)

    def __arrow_c_stream__(self, requested_schema: Any = None) -> Any:
        state = {"next": 0}
        error = ctypes.c_char_p(b"the producer failed (a fuzz stream error)")

        def get_schema(stream, out):
            self.schema._export_to_c(out)
            return 0

        def get_next(stream, out):
            i = state["next"]
            state["next"] += 1
            if self.fail_at is not None and i == self.fail_at:
                return 5  # EIO
            if i >= len(self.batches):
                out.contents.release = None
                return 0
            self.batches[i]._export_to_c(ctypes.addressof(out.contents))
            if i == 0:
                self._apply(out.contents)
            return 0

        def get_last_error(stream):
            return error.value

        def release(stream):
            stream.contents.release = RELEASE()

        callbacks = (GET_SCHEMA(get_schema), GET_NEXT(get_next), GET_LAST_ERROR(get_last_error), RELEASE(release))
        stream = ArrowArrayStream(*callbacks, None)
        self._keep.extend([callbacks, stream, error, state])
        return _capsule_new(ctypes.addressof(stream), b"arrow_array_stream", None)
