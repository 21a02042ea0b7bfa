"""DfE's statistical-neighbour models (10 nearest LAs each) -> ``statistical_neighbours`` rows.

The 2021 model is on the LA geography before 2023 (Cumbria 909, North
Yorkshire and Somerset as counties, and in its "Old SNs" block Northamptonshire
928, Dorset 835, Poole 836, Bournemouth 837); the 2025 model on today's.
Rows: (model, la_code, rank, neighbour_code, closeness).
"""

from __future__ import annotations

import csv
from importlib import resources

FOLDER = "statistical_neighbours"
FILES = {"2021": f"{FOLDER}/New_Statistical_Neighbour_Groupings_April_2021.csv",
         "2025": f"{FOLDER}/sn_model_2025_wide.csv"}


def _lines(path: str):
    with resources.files("munro.data").joinpath(path).open(newline="", encoding="utf-8-sig") as f:
        yield from csv.reader(f)


def read_2025():
    rows = _lines(FILES["2025"])
    header = next(rows)
    for r in rows:
        d = dict(zip(header, r))
        for rank in range(1, 11):
            yield "2025", d["old_la_code"], rank, d[f"SN_{rank}"].strip(), d[f"SN_{rank}P"].strip()


def read_2021():
    rows = _lines(FILES["2021"])
    next(rows)  # "LA num, LA Name, LA number, GOInd, GOReg, SN1, SNP, SN2, SNP, ...": SNP repeats, so by position
    for r in rows:
        if not r or not r[0].strip().isdigit():
            continue  # the blank lines and the "Old SNs:" title before the pre-reorganisation LAs
        for rank in range(1, 11):
            code, closeness = r[5 + 2 * (rank - 1)], r[6 + 2 * (rank - 1)]
            yield "2021", r[0].strip(), rank, code.strip(), closeness.strip()


def read_all() -> list[tuple]:
    return [*read_2021(), *read_2025()]
