"""What the pooling tests share: the synthetic LAs and a local-records file for them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

LAS = {"805": 21, "807": 22, "841": 23}  # Hartlepool, Redcar and Cleveland, Darlington: LA -> seed
YEARS = [2023, 2024, 2025]


@dataclass
class LA:
    code: str
    store: Path  # the LA's own store
    key: Path
    export: Path  # its pseudonymised export
    files: list[Path]  # its returns, oldest first


def write_visits(store: Path, year: int, path: Path, la: str | None = None) -> Path:
    """A cp-visits CSV (docs/local-data.md) for reporting year ``year``: three weekly visits per plan starting in it
    (of LA ``la`` only, if given)."""
    import datetime as dt

    import duckdb

    con = duckdb.connect(str(store), read_only=True)
    try:
        plans = con.execute("SELECT la_child_id, start_date FROM merged_cp_plans WHERE start_date BETWEEN ? AND ? "
                            "AND la_code = coalesce(?, la_code) ORDER BY 1, 2",
                            [dt.date(year - 1, 4, 1), dt.date(year, 3, 10), la]).fetchall()
    finally:
        con.close()
    lines = ["child_id,plan_start_date,visit_date,seen,seen_alone"]
    lines += [f"{child},{start},{start + dt.timedelta(days=7 * k)},Y,{'Y' if k == 2 else 'N'}"
              for child, start in plans for k in (1, 2, 3)]
    path.write_text("\n".join(lines) + "\n")
    return path
