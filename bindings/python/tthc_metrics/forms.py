"""The forms an office sends: the Biểu II.06a (Circular 01/2020/TT-VPCP) and the Friday report.

Each function returns a :class:`Form`: ``.table`` (a table of the input's library), ``.to_excel(path)``
(the .xlsx in the form's layout, written whole or not at all), ``.plot()`` and the title block.
Every figure is computed in Rust (the core's activity and cohort reports); this module only routes
arguments.

>>> import datetime as dt
>>> import tthc_metrics as tm
>>> start, end = tm.reporting_period("decree09_month", dt.date(2023, 10, 1))
>>> (start, end)
(datetime.date(2023, 9, 15), datetime.date(2023, 10, 14))
>>> f = tm.forms.bieu_06a(tm.krong_no_2023(), start=start, end=end, unit_tree=tm.krong_no_units(),
...                       reporting_unit="UBND huyện Krông Nô", receiving_unit="UBND tỉnh Đắk Nông")
>>> f.header["period"]
'Kỳ báo cáo: Tháng 10 năm 2023 (Từ ngày 15/09/2023 đến ngày 14/10/2023)'
>>> total = f.table.to_pylist()[-1]
>>> total["Đơn vị"], total["(3) Tổng số hồ sơ nhận giải quyết"]
('Tổng cộng', 4758)
"""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any, Iterable, Literal, Mapping

import pyarrow as pa

from . import _tthc_metrics as _native

__all__ = ["Form", "bieu_06a", "weekly"]

UnitTree = Iterable[tuple[str, str | None, str]] | Mapping[str, tuple[str | None, str]] | Any


class Form:
    """A computed form: ``table`` (Vietnamese column names for the Biểu II.06a, English for the
    Friday report by default; ``table_with(labels)`` for the other), ``rejected`` (rows left out,
    with reasons), ``header`` (the title block), ``notes``, ``window`` and ``to_excel(path)``."""

    def __init__(self, native: Any, rejected: Any, library: str, labels: Literal["en", "vi"], kind: str) -> None:
        self._native = native
        self._library = library
        self._labels = labels
        self.kind = kind
        self.rejected = rejected
        self.header: dict[str, str] = dict(native.header())
        self.notes: list[str] = list(native.notes())
        self.window: tuple[datetime.date, datetime.date] = native.window()

    @property
    def table(self) -> Any:
        """The form's rows (units or fields, level sections, the total last)."""
        return self.table_with(self._labels)

    def table_with(self, labels: Literal["en", "vi"]) -> Any:
        """The table with English (``"en"``) or Vietnamese (``"vi"``) column names."""
        from . import _output

        return _output(self._native.table(labels), self._library)

    def to_excel(self, path: str | os.PathLike[str]) -> Path:
        """Writes the .xlsx and returns its path; a folder that does not exist or a file that
        cannot be written raises ``TthcError`` (``.code == "write_error"``) and leaves nothing."""
        self._native.to_excel(os.fspath(path))
        return Path(path)

    def plot(self, ax: Any = None) -> Any:
        """The form's chart (matplotlib, the ``plot`` extra): for the Friday report the on-time
        rate (year to date) against the target and the week's online share against its target;
        for the Biểu II.06a what each unit finished on time and late and what it still has."""
        from . import plot

        table = pa.table(self._native.table("en"))
        if self.kind == "weekly":
            return plot.weekly(table, title=self.header.get("title"))
        return plot.form_06a(table, ax=ax, title=self.header.get("title"))

    def __repr__(self) -> str:
        return f"<Form {self.kind} {self.header.get('period', '')!r}>"


def _tree(unit_tree: UnitTree | None) -> list[tuple[str, str | None, str]] | None:
    """Triples ``(unit, parent, kind)`` from a list of triples, a ``{unit: (parent, kind)}``
    mapping or a frame with columns ``unit, parent, kind``."""
    if unit_tree is None:
        return None
    if isinstance(unit_tree, Mapping):
        return [(str(u), p, str(k)) for u, (p, k) in unit_tree.items()]
    if hasattr(unit_tree, "columns") or hasattr(unit_tree, "column_names"):
        from . import _arrow_input

        t = pa.table(_arrow_input(unit_tree, None)) if not isinstance(unit_tree, pa.Table) else unit_tree
        rows = t.select(["unit", "parent", "kind"]).to_pylist()
        return [(r["unit"], r["parent"], r["kind"]) for r in rows]
    return [(str(u), p, str(k)) for u, p, k in unit_tree]


def _check(options: Mapping[str, Any], form: str) -> None:
    for name in ("as_of", "start", "end", "by", "view"):
        if name in options:
            raise TypeError(
                f"{form} sets {name!r} itself (the window is the form's: "
                + ("start= and end=)" if form == "bieu_06a" else "friday=)")
            )


def bieu_06a(
    data: Any,
    *,
    start: datetime.date | str,
    end: datetime.date | str,
    rows: Literal["unit", "field", "levels"] = "unit",
    unit_tree: UnitTree | None = None,
    buckets: Literal["strict", "inclusive"] = "strict",
    reporting_unit: str = "",
    receiving_unit: str = "",
    scope: str | None = None,
    period_name: str | None = None,
    place: str | None = None,
    signed_on: datetime.date | None = None,
    labels: Literal["vi", "en"] = "vi",
    **options: Any,
) -> Form:
    """The Biểu II.06a for ``[start, end]``: per unit (``rows="unit"``), field (``"field"``) or
    level section (``"levels"``, needs ``unit_tree``) the numbered columns 3–13: to handle (3 =
    4 + 5 + 6: new online, new direct or by post, carried over), finished in the period (7 = 8 +
    9 + 10: early, on time, late), still being handled at the end of ``end`` (11 = 12 + 13: within
    due, overdue), and the total.

    ``buckets="strict"`` keeps refused, withdrawn and stopped dossiers and those awaiting a
    supplement or a payment out of 7 and 11: the gap of 3 = 7 + 11 is shown per row (columns
    ``gap`` and its parts, a note column and a second sheet in the .xlsx). ``"inclusive"`` folds
    them into 9 and 12 as one real system does, and the headers say so ("bao gồm cả ...").

    ``unit_tree`` (``(unit, parent, kind)`` triples with kind ``province``, ``district``,
    ``department``, ``commune``, ``branch`` or ``other``; see :func:`tthc_metrics.krong_no_units`)
    orders the rows as the tree lists them, gives every unit without dossiers its zero line, and
    must cover every unit of the data (``FormError``, code ``uncovered``, names the missing ones).
    A window in which no dossier was received or carried over raises ``FormError``
    (``empty_window``). Other options (``comparison``, ``due_date``, ``duplicates``, ``on_error``,
    ``columns``, vocabularies, ``calendar``...) are those of :func:`tthc_metrics.report`.
    """
    from . import _arrow_input, _library, _output, _warn_rejected

    _check(options, "bieu_06a")
    library = _library(data)
    form = dict(start=start, end=end, rows=rows, buckets=buckets, reporting_unit=reporting_unit,
                receiving_unit=receiving_unit, scope=scope, period_name=period_name, place=place,
                signed_on=signed_on)
    native, rejected = _native.bieu_06a(
        _arrow_input(data, options.get("columns")), form, _tree(unit_tree), as_of=end, **options)
    out = _output(rejected, library, data, rows=True)
    _warn_rejected(out, len(out))
    return Form(native, out, library, labels, "bieu_06a")


def weekly(
    data: Any,
    *,
    friday: datetime.date | str,
    peak: tuple[datetime.date, datetime.date] | None = None,
    year_start: datetime.date | None = None,
    unit_tree: UnitTree | None = None,
    on_time_target: float | str = 95,
    online_target: float | str = 70,
    hanging_after_days: int = 30,
    reporting_unit: str = "",
    receiving_unit: str = "",
    place: str | None = None,
    labels: Literal["en", "vi"] = "en",
    **options: Any,
) -> Form:
    """The Friday report due on ``friday`` (before 10:00, the seed letter): for the seven days
    Friday → Thursday before it, per unit and in total, ``received`` (``received_online``,
    ``received_direct_post``), ``finished`` (``early``, ``on_time``, ``late``), ``on_time_percent``
    (one decimal, half away from zero), the ``overdue`` and ``hanging`` backlog at Thursday's
    close, the week's online share of eligible dossiers (``online_percent``) held to more than
    ``online_target`` % when the week overlaps ``peak``, the year to date (``year_on_time``,
    ``year_late``, ``year_on_time_percent``) against ``on_time_target`` % (not below, exact) and
    ``needed``: the least number of additional on-time dossiers that reaches it; ``flags``.

    A ``friday`` that is not a Friday raises ``FormError`` (``not_a_friday``) naming the weeks of
    the Fridays before and after it.
    """
    from . import _arrow_input, _library, _output, _warn_rejected

    _check(options, "weekly")
    library = _library(data)
    form = dict(friday=friday, peak=peak, year_start=year_start, on_time_target=on_time_target,
                online_target=online_target, hanging_after_days=hanging_after_days,
                reporting_unit=reporting_unit, receiving_unit=receiving_unit, place=place)
    native, rejected = _native.weekly(
        _arrow_input(data, options.get("columns")), form, _tree(unit_tree), as_of=friday, **options)
    out = _output(rejected, library, data, rows=True)
    _warn_rejected(out, len(out))
    return Form(native, out, library, labels, "weekly")
