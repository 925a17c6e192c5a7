"""Charts of reports and forms (matplotlib: ``pip install tthc-metrics[plot]``), with the targets
drawn and labelled: the 95% on-time line, the 70% online line of a peak month.

Each function takes a table ``tm.report`` or a form returned (pyarrow, pandas or polars; English
column names) and returns the matplotlib ``Axes`` (or ``Figure``) it drew on; units are sorted by
the figure shown, below-target bars in red.

>>> import datetime as dt
>>> import matplotlib
>>> matplotlib.use("Agg")
>>> import tthc_metrics as tm
>>> r = tm.report(tm.krong_no_2023(), as_of=dt.date(2023, 10, 16), by=("unit", None))
>>> ax = tm.plot.on_time(r)
>>> ax.get_xlabel()
'Đúng hạn và trước hạn, % số đã giải quyết'
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

__all__ = ["backlog", "form_06a", "on_time", "online", "weekly"]

RED, GREEN, BLUE, GREY, ORANGE = "#c0392b", "#27ae60", "#2980b9", "#95a5a6", "#e67e22"


def _table(report: Any) -> pa.Table:
    if isinstance(report, pa.Table):
        return report
    if hasattr(report, "iloc"):
        return pa.Table.from_pandas(report, preserve_index=False)
    if hasattr(report, "to_arrow"):
        return report.to_arrow()
    if hasattr(report, "_native"):  # a Form
        return pa.table(report._native.table("en"))
    return pa.table(report)


def _axes(ax: Any, n: int) -> Any:
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(10, max(3.0, 0.32 * n + 1.2)), layout="constrained")
    return ax


def _short(name: str) -> str:
    """Unit names readable on an axis: the long official prefixes shortened."""
    for long, short in (("Chi nhánh Văn phòng đăng ký đất đai", "CN VPĐKĐĐ"), ("Ủy ban nhân dân ", "UBND "),
                        ("UBND ", "")):
        name = name.replace(long, short)
    return name[:1].upper() + name[1:]


def _rows(t: pa.Table, label: str = "unit") -> list[dict[str, Any]]:
    rows = t.to_pylist()
    keep = [r for r in rows if not r.get("total") and not r.get("rollup") and r.get("row_kind", "entry") == "entry"]
    for r in keep:
        r["_label"] = _short(str(r.get(label) or r.get("field") or r.get("procedure") or r.get("channel") or "Tổng"))
    return keep


def _percent(r: dict[str, Any], *names: str) -> float | None:
    for n in names:
        v = r.get(n)
        if v is not None and v == v:
            return float(v) * (100 if n.endswith("_rate") or n.endswith("_share") else 1)
    return None


def _bars(ax: Any, rows: list[dict[str, Any]], values: list[float | None], target: float, above: bool,
          xlabel: str, target_label: str) -> Any:
    pairs = sorted(((v if v is not None else -1.0), r["_label"]) for v, r in zip(values, rows))
    labels = [p[1] for p in pairs]
    vals = [max(p[0], 0.0) for p in pairs]
    colors = [GREY if p[0] < 0 else ((GREEN if (p[0] > target if above else p[0] >= target) else RED)) for p in pairs]
    ax.barh(labels, vals, color=colors)
    for y, p in enumerate(pairs):
        text = "không có dữ liệu" if p[0] < 0 else f"{p[0]:.1f}".replace(".", ",")
        ax.text(max(p[0], 0.0) + 0.8, y, text, va="center", fontsize=7, color="#333333")
    ax.axvline(target, color="black", linestyle="--", linewidth=1.2, label=target_label)
    ax.set_xlim(0, 112)
    ax.set_xticks(range(0, 101, 20))
    ax.set_xlabel(xlabel)
    ax.legend(loc="lower right", fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    return ax


def on_time(report: Any, *, ax: Any = None, target: float = 95, title: str | None = None) -> Any:
    """On time or early, % of finished, per unit, against ``target`` (not below it: green)."""
    t = _table(report)
    rows = _rows(t)
    ax = _axes(ax, len(rows))
    values = [_percent(r, "on_time_rate", "year_on_time_percent", "on_time_percent") for r in rows]
    _bars(ax, rows, values, target, False, "Đúng hạn và trước hạn, % số đã giải quyết",
          f"{target:g}% (chỉ tiêu)")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def online(report: Any, *, ax: Any = None, target: float = 70, title: str | None = None) -> Any:
    """Online share per unit against ``target`` (more than it: green): the seed's peak month."""
    t = _table(report)
    rows = _rows(t)
    ax = _axes(ax, len(rows))
    values = [_percent(r, "online_share", "online_percent") for r in rows]
    _bars(ax, rows, values, target, True, "Nộp trực tuyến, % hồ sơ của TTHC có DVC trực tuyến",
          f"trên {target:g}% (tháng cao điểm)")
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def backlog(report: Any, *, ax: Any = None, title: str | None = None) -> Any:
    """What each unit still has at the cut-off: within due, overdue, awaiting the citizen."""
    t = _table(report)
    rows = _rows(t)
    ax = _axes(ax, len(rows))
    get = lambda r, *ns: sum(int(r.get(n) or 0) for n in ns)  # noqa: E731
    rows.sort(key=lambda r: get(r, "overdue"))
    labels = [r["_label"] for r in rows]
    within = [get(r, "within_due") for r in rows]
    overdue = [get(r, "overdue") for r in rows]
    waiting = [get(r, "awaiting_supplement", "awaiting_payment") for r in rows]
    ax.barh(labels, overdue, color=RED, label="Quá hạn")
    ax.barh(labels, within, left=overdue, color=GREEN, label="Trong hạn")
    ax.barh(labels, waiting, left=[a + b for a, b in zip(overdue, within)], color=GREY, label="Chờ công dân")
    ax.set_xlabel("Hồ sơ đang giải quyết")
    ax.legend(loc="lower right", fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def form_06a(table: Any, *, ax: Any = None, title: str | None = None) -> Any:
    """A Biểu II.06a as bars: finished early, on time and late, and still being handled (within
    due, overdue), per unit or field."""
    t = _table(table)
    rows = _rows(t, "unit" if "unit" in t.column_names else "field")
    ax = _axes(ax, len(rows))
    rows.sort(key=lambda r: int(r["to_handle"]))
    labels = [r["_label"] for r in rows]
    left = [0] * len(rows)
    for name, color, text in (("early", GREEN, "Trước hạn"), ("on_time", BLUE, "Đúng hạn"), ("late", RED, "Quá hạn"),
                              ("within_due", GREY, "Đang giải quyết trong hạn"),
                              ("overdue", ORANGE, "Đang giải quyết quá hạn")):
        vals = [int(r[name]) for r in rows]
        ax.barh(labels, vals, left=left, color=color, label=text)
        left = [a + b for a, b in zip(left, vals)]
    ax.set_xlabel("Số hồ sơ TTHC")
    ax.legend(loc="lower right", fontsize=8)
    ax.tick_params(axis="y", labelsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def weekly(table: Any, *, title: str | None = None, on_time_target: float = 95, online_target: float = 70) -> Any:
    """The Friday report's chart: the year to date's on-time rate against ``on_time_target`` and
    the week's online share against ``online_target``, side by side; returns the figure."""
    import matplotlib.pyplot as plt

    t = _table(table)
    n = len(_rows(t))
    fig, (a, b) = plt.subplots(1, 2, figsize=(14, max(3.5, 0.32 * n + 1.5)), layout="constrained")
    on_time(t, ax=a, target=on_time_target)
    a.set_xlabel("Lũy kế đúng hạn và trước hạn, %")
    online(t, ax=b, target=online_target)
    b.set_xlabel("Trong tuần: nộp trực tuyến, % hồ sơ của TTHC có DVC")
    if title:
        fig.suptitle(title, fontsize=11)
    return fig
