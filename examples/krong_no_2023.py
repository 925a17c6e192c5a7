"""Notebook-style walk-through of the seed letter with tthc_metrics (run by `make demo`).

Loads the bundled Krông Nô 2023 sample, prints the district's figures as the letter states them and
what it would take to reach 95%, shows the headline under every method in use, then writes what the
district sends: the Biểu II.06a for the Decree 09/2019 month of October (15/09–14/10/2023), the
Friday report of 13/10/2023 and their charts, to out/.
"""

# %% Load the sample: one row per dossier, as a portal export would give it
import datetime as dt
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display needed

import tthc_metrics as tm  # noqa: E402

AS_OF = dt.date(2023, 10, 16)  # the seed letter: 01/01/2023 - 16/10/2023


def so(n) -> str:
    """A count or a percentage written as a Vietnamese letter writes it."""
    return f"{n:,}".replace(",", " ").replace(".", ",").replace(" ", ".")


OUT = Path("out")
OUT.mkdir(exist_ok=True)
data = tm.krong_no_2023().to_pandas()
print(f"{so(len(data))} bản ghi đọc từ mẫu kèm theo (the bundled sample)")

# %% The district's figures, as in the letter (Vietnamese numbers: 15.935 hồ sơ, 94,2%)
t = tm.tally(data, as_of=AS_OF)
print(f"Tiếp nhận {so(t.received)} hồ sơ; đúng, trước hạn {so(t.early + t.on_time)} ({so(tm.percent(t.on_time_rate))}%); "
      f"trễ hạn {so(t.late)} ({so(tm.percent(t.late_rate))}%)")
print(f"Excluded: {t.not_received} registrations never received (status 1 or 3)")

# %% Below 95% the TTHC criterion is lost: how many more on-time dossiers bring it back?
rubric = tm.Rubric.preset("seed-district-2023")
score = rubric.score(t, date=AS_OF)
plan = rubric.recovery(t, "tthc_on_time", date=AS_OF)
print(f"Score {score.earned}/{score.max} points; to keep the TTHC criterion: {plan['summary']}")

# %% One dataset under every method: what choosing a method does to the headline
methods = tm.methods(data, as_of=AS_OF)
print(methods[["measure", "method", "percent", "numerator", "denominator", "meets"]].to_string(index=False))

# %% By unit: on-time rate and online share against the 95% and 70% lines
by_unit = tm.report(data, as_of=AS_OF, by=("unit", None))
ax = tm.plot.on_time(by_unit, title=f"Huyện Krông Nô, hồ sơ tiếp nhận 01/01–16/10/2023: đúng hạn {so(tm.percent(t.on_time_rate))}%")
ax.figure.savefig(OUT / "krong_no_2023_on_time.png", dpi=110)
ax = tm.plot.online(by_unit, title="Tỷ lệ nộp trực tuyến (hồ sơ của TTHC có DVC trực tuyến)")
ax.figure.savefig(OUT / "krong_no_2023_online.png", dpi=110)

# %% The monthly form: Biểu II.06a for 15/09 - 14/10/2023, by unit, in the unit tree's order
start, end = tm.reporting_period("decree09_month", dt.date(2023, 10, 1))
deadline = tm.reporting_deadline(end)
form = tm.forms.bieu_06a(data, start=start, end=end, unit_tree=tm.krong_no_units(),
                         reporting_unit="UBND huyện Krông Nô", receiving_unit="UBND tỉnh Đắk Nông",
                         place="Krông Nô", signed_on=deadline)
bieu = form.to_excel(OUT / "bieu_06a_2023-10.xlsx")
print(f"{form.header['period']}; due {deadline:%d/%m/%Y}")
print(form.table.iloc[-1:, :13].to_string(index=False))

# %% The Friday report of 13/10/2023 (the week 06/10 - 12/10), year to date against 95%
weekly = tm.forms.weekly(data, friday=dt.date(2023, 10, 13), peak=(dt.date(2023, 10, 18), dt.date(2023, 11, 18)),
                         unit_tree=tm.krong_no_units(), reporting_unit="UBND huyện Krông Nô",
                         receiving_unit="UBND tỉnh Đắk Nông", place="Krông Nô")
friday = weekly.to_excel(OUT / "bao_cao_tuan_2023-10-13.xlsx")
weekly.plot().savefig(OUT / "bao_cao_tuan_2023-10-13.png", dpi=110)
total = weekly.table.iloc[-1]
print(f"Week {weekly.window[0]:%d/%m}–{weekly.window[1]:%d/%m/%Y}: received {total.received}, finished {total.finished} "
      f"({total.on_time_percent}% on time); overdue at Thursday's close {total.overdue}; year to date "
      f"{total.year_on_time_percent}%, {total.needed:,} more on-time dossiers needed for 95%")

for path in [bieu, friday, OUT / "bao_cao_tuan_2023-10-13.png", OUT / "krong_no_2023_on_time.png",
             OUT / "krong_no_2023_online.png"]:
    print(f"written: {path}")
