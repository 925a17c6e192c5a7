"""Notebook-style walk-through of the seed letter with tthc_metrics (run by `make demo`).

Loads the bundled Krông Nô 2023 sample, prints the district's figures as the letter states them,
then plots on-time rate and online share by unit against the 95% and 70% lines and saves the chart.
"""

# %% Load the sample: one row per dossier, as a portal export would give it
import datetime as dt
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed
import matplotlib.pyplot as plt  # noqa: E402

import tthc_metrics as tm  # noqa: E402

AS_OF = dt.date(2023, 10, 16)  # the seed letter: 01/01/2023 - 16/10/2023
data = tm.krong_no_2023().to_pandas()
print(f"{len(data):,} records loaded from the bundled sample")

# %% The district's figures, as in the letter
t = tm.tally(data, as_of=AS_OF)
print(f"Tiếp nhận {t.received:,} hồ sơ; đúng, trước hạn {t.early + t.on_time:,} ({tm.percent(t.on_time_rate)}%); "
      f"trễ hạn {t.late:,} ({tm.percent(t.late_rate)}%)")
print(f"Excluded: {t.not_received} registrations never received (status 1 or 3)")
if t.on_time_rate < 0.95:
    print("Below 95% on time: the TTHC-resolution criterion of the PAR index is lost this year.")

# %% By unit: on-time rate and online share
by_unit = tm.report(data, as_of=AS_OF, by=("unit", None))
by_unit = by_unit.sort_values("on_time_rate").reset_index(drop=True)
print(by_unit[["unit", "received", "finished", "late", "overdue", "on_time_rate", "online_share"]].to_string(
    index=False, formatters={"on_time_rate": "{:.1%}".format, "online_share": "{:.1%}".format}))

# %% The peak month (18/10 - 18/11/2023) asks for more than 70% online among eligible dossiers
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(15, 8), sharey=True)
labels = by_unit["unit"].str.replace("UBND ", "").str.replace("Chi nhánh Văn phòng đăng ký đất đai", "CN VPĐKĐĐ")
ax1.barh(labels, by_unit["on_time_rate"] * 100, color=["#c0392b" if r < 0.95 else "#27ae60" for r in by_unit["on_time_rate"]])
ax1.axvline(95, color="black", linestyle="--", label="95% (criterion kept)")
ax1.set_xlim(80, 100)
ax1.set_xlabel("on time or early, % of finished (resolved_only)")
ax1.legend(loc="lower right")
ax2.barh(labels, by_unit["online_share"].fillna(0) * 100, color="#2980b9")
ax2.axvline(70, color="black", linestyle="--", label="70% (peak-month target)")
ax2.set_xlim(0, 100)
ax2.set_xlabel("online, % of dossiers of procedures with an online service (eligible_only)")
ax2.legend(loc="lower right")
fig.suptitle(f"Huyện Krông Nô, hồ sơ tiếp nhận 01/01–16/10/2023: on time {tm.percent(t.on_time_rate)}%, "
             f"online {tm.percent(t.online_share)}%")
fig.tight_layout()
out = Path("out")
out.mkdir(exist_ok=True)
fig.savefig(out / "krong_no_2023.png", dpi=110)
print(f"chart saved to {out / 'krong_no_2023.png'}")

# %% The Friday report: activity view (Biểu II.06a) for the last four reporting weeks
weekly = tm.report(data, as_of=AS_OF, by=(None, "friday_week"), view="activity", start=dt.date(2023, 9, 15))
print(weekly[["period_start", "period_end", "carried_over", "received", "finished", "late", "unfinished", "overdue"]]
      .to_string(index=False))
