"""The pooling commands as a user runs them: one line per outcome, never a key or a child's identifier."""

from __future__ import annotations

import re
import shutil
import stat

import duckdb


def _identifiers(db) -> set[str]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return {r[0] for r in con.execute("SELECT la_child_id FROM children UNION SELECT upn FROM children "
                                          "WHERE upn IS NOT NULL").fetchall()}
    finally:
        con.close()


def test_a_key_then_a_pseudonymised_export_then_a_pooled_store(munro, las, tmp_path):
    la = las["841"]
    key = tmp_path / "841.key"
    made = munro("export", "--new-key-file", key)
    assert made.returncode == 0 and "fingerprint" in made.stdout
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    secret = key.read_text().strip()
    out = munro("--db", la.store, "export", "--pseudonymise", "--key-file", key, "--to", tmp_path / "out")
    assert out.returncode == 0 and out.stdout.startswith("exported ")
    fingerprint = re.search(r"fingerprint ([0-9a-f]{16})", made.stdout).group(1)
    assert out.stdout.strip().endswith(f"(pseudonymised: LA 841, key fingerprint {fingerprint})")
    pooled = tmp_path / "pool.duckdb"
    loaded = munro("--db", pooled, "ingest", tmp_path / "out")
    assert loaded.returncode == 0
    assert loaded.stdout.strip().endswith("pseudonymised export of LA 841: loaded 2022-23, 2023-24, 2024-25")
    listed = munro("--db", pooled, "returns")
    assert listed.stdout.count("sent by LA 841: export of ") == 3
    printed = made.stdout + made.stderr + out.stdout + out.stderr + loaded.stdout + listed.stdout
    assert secret not in printed and secret.upper() not in printed
    assert not any(i in printed for i in _identifiers(la.store))


def test_a_weak_or_missing_key_is_one_line_and_writes_nothing(munro, las, tmp_path):
    weak = tmp_path / "weak.key"
    weak.write_text("00" * 32 + "\n")
    weak.chmod(0o600)
    for args in (["--key-file", weak], ["--key-file", tmp_path / "none.key"], []):
        r = munro("--db", las["805"].store, "export", "--pseudonymise", *args, "--to", tmp_path / "out")
        assert r.returncode != 0 and r.stderr.startswith("munro: ") and r.stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_retention_and_a_region_from_the_command_line(munro, pooled, tmp_path):
    db = tmp_path / "pool.duckdb"
    shutil.copy(pooled, db)
    dry = munro("--db", db, "retention", "--keep-years", "2", "--dry-run")
    assert dry.returncode == 0 and "would remove 3 file(s)" in dry.stdout.splitlines()[0]
    done = munro("--db", db, "retention", "--keep-years", "2")
    assert done.returncode == 0 and len(done.stdout.splitlines()) == 4 and "removed return" in done.stdout
    region = munro("--db", db, "indicators", "--region", "North East", "--year", "2025", "--items", "cpp_rate")
    assert region.returncode == 0
    assert region.stdout.splitlines()[:2] == [
        "North East (partial), 2024-25 (returns loaded: 2023-24, 2024-25)",
        "3 of 12 North East LAs have a 2024-25 return loaded: partial; in: 805, 807, 841; "
        "left out: 390, 391, 392, 393, 394, 806, 808, 840, 929 (no returns loaded)"]
    gone = munro("--db", db, "indicators", "--region", "North East", "--year", "2023", "--format", "csv")
    assert (gone.returncode, gone.stdout) == (2, "")  # retention removed 2022-23
    assert gone.stderr == ("munro: none of the 12 North East LAs has a 2022-23 return loaded (loaded: 805 2023-24 to "
                           "2024-25; 807 2023-24 to 2024-25; 841 2023-24 to 2024-25): load one with `munro ingest` "
                           "or choose a loaded year\n")
    both = munro("--db", db, "indicators", "--la", "805", "--group", "805,841", "--year", "2025")
    assert both.returncode == 2 and "Give one of --la, --region or --group" in both.stderr
