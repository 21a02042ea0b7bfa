"""Hostile and broken files through ``munro ingest``, run as a user would, in a subprocess.

For every file: exit status 1, nothing on stdout, exactly one line on stderr
("rejected <file>: <reason>"), no traceback, the store's content unchanged,
and the whole run quick and small in memory (peak RSS of the process tree,
from ``os.wait4``). Large files are sparse: 2 GiB on paper, a few MB on disk.
"""

from __future__ import annotations

import functools
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import types
from pathlib import Path

import pytest

from munro.loading import ingest_file

REPO = Path(__file__).resolve().parents[2]
GiB = 1024 ** 3
HELD_MB = 150  # garbage held in memory would add far more: 64 MB of elements take about 500 MB
QUICK_S = 10  # generous for a loaded CI machine (starting Python, DuckDB and Arrow takes ~0.5 s)
BIG_QUICK_S = 5  # a 2 GiB file refused without reading it through (hashing it alone takes ~5 s)


_GOOD: list[str] = []  # the good return, written by template_store


@functools.lru_cache(maxsize=1)
def max_rss_mb() -> float:
    """What refusing a file may cost: a good load's peak (Python, DuckDB, Arrow and whatever DuckDB
    imports) measured here, plus HELD_MB; fixed numbers broke whenever a dependency grew."""
    with tempfile.TemporaryDirectory() as folder:
        good = Path(folder) / "good.xml"
        good.write_text(_GOOD[0])
        status, _, err, _, rss = run_measured("--db", Path(folder) / "store.duckdb", "ingest", good)
        assert status == 0, err
    return rss + HELD_MB


def run_measured(*args, env=None):
    """Run ``munro ARGS``; (exit status, stdout, stderr, CPU seconds, peak RSS in MB of it and its children).

    CPU time, not the clock: reading a file through costs CPU whatever else the machine is doing,
    while the clock also counts the waits of a machine busy with other work."""
    env = env or {**{k: v for k, v in os.environ.items() if k != "MUNRO_DB"}, "PYTHONPATH": str(REPO / "src")}
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "munro.cli", *map(str, args)], stdout=out, stderr=err,
                                env=env, cwd=REPO)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        seconds = usage.ru_utime + usage.ru_stime
        out.seek(0)
        err.seek(0)
        return proc.returncode, out.read().decode(errors="replace"), err.read().decode(errors="replace"), \
            seconds, usage.ru_maxrss / 1024


@pytest.fixture(scope="module")
def template_store(tmp_path_factory, cin):
    """A store holding one good return, built once and copied for each test."""
    folder = tmp_path_factory.mktemp("template")
    good = folder / "good.xml"
    _GOOD[:] = [cin.xml(2023, [cin.Child(id="G1", episodes=[cin.Episode(plans=[cin.Plan("2022-07-01")])]),
                               cin.Child(id="G2")])]
    good.write_text(_GOOD[0])
    db = folder / "store.duckdb"
    ingest_file(db, good)
    assert not Path(f"{db}.wal").exists()
    return db


@pytest.fixture
def populated(template_store, tmp_path, store):
    db = tmp_path / "store.duckdb"
    shutil.copy(template_store, db)
    before = store.snapshot(db)
    assert len(before["returns"]) == 1 and len(before["children"]) == 2
    return db, before


def assert_rejected(populated, store, path, reason_part=None, quick=QUICK_S):
    db, before = populated
    code, out, err, seconds, rss = run_measured("--db", db, "ingest", path)
    assert code == 1, (out, err)
    assert out == ""
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith(f"rejected {path}: "), err
    if reason_part is not None:
        assert reason_part in err, err
    assert seconds < quick, f"took {seconds:.1f} s"
    assert rss < max_rss_mb(), f"peak RSS {rss:.0f} MB (limit {max_rss_mb():.0f} MB)"
    assert store.snapshot(db) == before
    return err


# ---------------------------------------------------------------- small hostile files, one run
#
# Each case below is a file and the reason its rejection must contain (None: any reason). They are
# all given to one `munro ingest` run (starting Python, DuckDB and Arrow once, not forty times);
# each test then checks its own file's line. One line per rejected file is what `munro ingest`
# promises, so this checks the same thing as a run per file.


def _doc(cin, child_id="&xxe;", doctype="", software="munro tests"):
    text = cin.xml(2023, [cin.Child(id="PLACEHOLDER")])
    text = text.replace("<LAchildID>PLACEHOLDER</LAchildID>", f"<LAchildID>{child_id}</LAchildID>")
    text = text.replace("<SoftwareCode>munro tests</SoftwareCode>", f"<SoftwareCode>{software}</SoftwareCode>")
    return text.replace("<Message>", doctype + "\n<Message>", 1)


SECRET = "SECRET-5f2c9e0d41"


def _cases(cin, folder: Path) -> dict[str, tuple[bytes | Path, str | None]]:
    secret = folder / "secret.txt"
    secret.write_text(SECRET + "\n")
    url = secret.as_uri()
    out: dict[str, tuple[bytes | Path, str | None]] = {}

    def case(name, content, reason):
        out[name] = (content.encode() if isinstance(content, str) else content, reason)

    # entities, DTDs, XInclude
    case("xxe general entity", _doc(cin, doctype=f'<!DOCTYPE Message [<!ENTITY xxe SYSTEM "{url}">]>'),
         "the file has a DOCTYPE")
    case("xxe parameter entity",
         _doc(cin, child_id="C1", doctype=f'<!DOCTYPE Message [<!ENTITY % xxe SYSTEM "{url}"> %xxe;]>'),
         "the file has a DOCTYPE")
    case("xxe in the header", _doc(cin, child_id="C1", software="&xxe;",
                                   doctype=f'<!DOCTYPE Message [<!ENTITY xxe SYSTEM "{url}">]>'),
         "the file has a DOCTYPE")
    case("xxe /etc/passwd", _doc(cin, doctype='<!DOCTYPE Message [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'),
         "the file has a DOCTYPE")
    case("external DTD on port 9", _doc(cin, child_id="C1",
                                        doctype='<!DOCTYPE Message SYSTEM "http://127.0.0.1:9/x.dtd">'),
         "the file has a DOCTYPE")
    lol = ['<?xml version="1.0"?>', "<!DOCTYPE Message [", ' <!ENTITY lol "lol">']
    lol += [f' <!ENTITY lol{i} "{("&" + ("lol" if i == 1 else f"lol{i - 1}") + ";") * 10}">' for i in range(1, 10)]
    case("billion laughs", "\n".join(lol + ["]>", "<Message>&lol9;</Message>", ""]), "the file has a DOCTYPE")
    case("quadratic blowup", f'<?xml version="1.0"?>\n<!DOCTYPE Message [<!ENTITY a "{"a" * 100_000}">]>\n'
                             f"<Message><Header>{'&a;' * 100_000}</Header></Message>\n", "the file has a DOCTYPE")
    include = f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="{url}" parse="text"/>'
    text = cin.xml(2023, [cin.Child(id="X1")]).replace("<LAchildID>X1</LAchildID>",
                                                       f"<LAchildID>X1</LAchildID>{include}")
    case("xinclude", text, f"child X1: unexpected element <{{http://www.w3.org/2001/XInclude}}include> "
                           f"in <ChildIdentifiers> (line {cin.line_of(text, 'xi:include')})")
    text = cin.xml(2023, [cin.Child(id="C1"), cin.Child(id="C2")]).replace(
        "<LAchildID>C2</LAchildID>", "<LAchildID>&nbsp;C2</LAchildID>")
    case("undeclared entity", text,
         f"entity reference refused at line {cin.line_of(text, '&nbsp;')}: CIN census returns never use entities")

    # truncated
    text = cin.xml(2023, cin.many(2023, 40))
    cut = text[:len(text) // 2]
    cut = cut[:cut.rindex("<CINdetails>") + len("<CINde")]  # part-way through a start tag
    case("truncated in a tag", cut, f"the file ends part-way through (truncated?) at line {cut.count(chr(10)) + 1}")
    cut = text[:text.index("</Child>", len(text) // 2) + len("</Child>\n")]
    # the parser stops on the empty line after the last newline
    case("truncated between children", cut,
         f"the file ends part-way through (truncated?) at line {cut.count(chr(10)) + 1}")
    from munro.census.reader import BATCH_CHILDREN
    text = cin.xml(2023, cin.many(2023, BATCH_CHILDREN + 50))
    case("truncated after a batch", text[:text.rindex("<Ethnicity>")], "the file ends part-way through (truncated?)")

    # not a return at all
    case("empty", b"", "the file is empty")
    case("white space", b" \n\t\r\n" * 2000, "the file holds only white space")
    case("BOM and white space", b"\xef\xbb\xbf  \n", "the file holds only white space")
    case("CSV", b"LAchildID,UPN,PersonBirthDate\nC1,A123456789012,2015-05-01\n",
         "not an XML file (it does not start with '<')")
    case("JSON", b'{"Message": {"Header": {}}}', "not an XML file (it does not start with '<')")
    case("binary", bytes([7]) + random.Random(7).randbytes(64 * 1024), "not an XML file (it does not start with '<')")
    case("binary after <", b"<" + random.Random(8).randbytes(64 * 1024), None)
    case("zip", b"PK\x03\x04\x14\x00\x06\x00" + random.Random(9).randbytes(4096),
         "this is a zip file (perhaps an Excel workbook), not CIN census XML")
    case("HTML", b"<!doctype html><html><body>Not found</body></html>", None)
    case("wrong root", b'<?xml version="1.0"?>\n<html><body>Not found</body></html>\n',
         "the root element is <html>, not <Message>: this is not a CIN census return")
    case("namespaced root", b'<Message xmlns="urn:x"><Header/></Message>',
         "the root element is <{urn:x}Message>, not <Message>")
    case("declaration only", b'<?xml version="1.0" encoding="UTF-8"?>\n', "not an XML document")
    case("unclosed root", b"<Message>", "the file ends part-way through (truncated?) at line 1")
    case("two roots", b"<Message></Message><Message></Message>", None)

    # encodings
    case("UTF-16 with BOM", cin.xml(2023, declaration='<?xml version="1.0" encoding="UTF-16"?>').encode("utf-16"),
         "the file is UTF-16 or UTF-32 encoded; CIN census returns must be UTF-8")
    case("declared UTF-16, UTF-8 bytes", cin.xml(2023, declaration='<?xml version="1.0" encoding="UTF-16"?>'),
         "the file declares UTF-16 encoding; CIN census returns must be UTF-8")
    text = cin.xml(2023, [cin.Child(id="C1"), cin.Child(id="C2")])
    case("declared UTF-8, invalid bytes",
         text.encode().replace(b"<LAchildID>C2</LAchildID>", b"<LAchildID>C\xff\xfe2</LAchildID>"),
         f"the file's text is not in the encoding it declares (line {cin.line_of(text, '<LAchildID>C2')})")
    case("unknown encoding", cin.xml(2023, declaration='<?xml version="1.0" encoding="klingon"?>'),
         "Unsupported encoding: klingon")

    # parser limits and bad characters
    case("NUL byte", text.encode().replace(b"<LAchildID>C2", b"<LAchildID>C\x002"),
         f"not well-formed XML at line {cin.line_of(text, '<LAchildID>C2')}: "
         "Invalid character: Char 0x0 out of allowed range")
    case("text node over the limit",
         cin.xml(2023, [cin.Child(id="C1")]).replace("<LAchildID>C1<", "<LAchildID>C" + "1" * 11_000_000 + "<"),
         "Text node too long")
    case("nesting over the limit",
         cin.xml(2023, [cin.Child(id="C1")]).replace("<Ethnicity>", "<a>" * 1000 + "</a>" * 1000 + "<Ethnicity>"),
         "Excessive depth in document")

    # not files
    out["no such file"] = (folder / "absent.xml", "no such file")
    # A folder is taken for an LA's export to pool (munro.store.pooled), and refused as not being one.
    out["a folder"] = (folder / "a-folder", "not a munro export folder")
    (folder / "a-folder").mkdir()
    return out


@pytest.fixture(scope="module")
def small_run(cin, template_store, tmp_path_factory, store):
    folder = tmp_path_factory.mktemp("hostile")
    cases = _cases(cin, folder)
    paths = {}
    for i, (name, (content, _)) in enumerate(cases.items()):
        if isinstance(content, Path):
            paths[name] = content
        else:
            paths[name] = folder / f"case{i:02d}.xml"
            paths[name].write_bytes(content)
    db = folder / "store.duckdb"
    shutil.copy(template_store, db)
    before = store.snapshot(db)
    code, out, err, seconds, rss = run_measured("--db", db, "ingest", *paths.values())
    return types.SimpleNamespace(cases=cases, paths=paths, db=db, before=before, code=code, out=out, err=err,
                                 seconds=seconds, rss=rss, after=store.snapshot(db))


SMALL_CASES = [
    "xxe general entity", "xxe parameter entity", "xxe in the header", "xxe /etc/passwd",
    "external DTD on port 9", "billion laughs", "quadratic blowup", "xinclude", "undeclared entity",
    "truncated in a tag", "truncated between children", "truncated after a batch",
    "empty", "white space", "BOM and white space", "CSV", "JSON", "binary", "binary after <", "zip", "HTML",
    "wrong root", "namespaced root", "declaration only", "unclosed root", "two roots",
    "UTF-16 with BOM", "declared UTF-16, UTF-8 bytes", "declared UTF-8, invalid bytes", "unknown encoding",
    "NUL byte", "text node over the limit", "nesting over the limit", "no such file", "a folder",
]


def test_small_run_as_a_whole(small_run):
    assert set(small_run.cases) == set(SMALL_CASES)
    assert small_run.code == 1
    assert small_run.out == ""
    assert "Traceback" not in small_run.err
    assert small_run.err.count("\n") == len(SMALL_CASES)  # one line per file, nothing else
    assert small_run.after == small_run.before  # the store's content is unchanged
    assert small_run.seconds < QUICK_S + 0.5 * len(SMALL_CASES)
    assert small_run.rss < max_rss_mb()


@pytest.mark.parametrize("name", SMALL_CASES)
def test_small_hostile_file(small_run, name):
    path = small_run.paths[name]
    _, reason = small_run.cases[name]
    lines = [line for line in small_run.err.splitlines() if line.startswith(f"rejected {path}: ")]
    assert len(lines) == 1, small_run.err
    if reason is not None:
        assert reason in lines[0]


def _leaks(secret: str, db: Path, *texts) -> list:
    """Where the secret turned up: in the outputs or anywhere in the store's files."""
    found = [i for i, t in enumerate(texts) if secret in t]
    for f in (db, Path(f"{db}.wal")):
        if f.exists() and secret.encode() in f.read_bytes():
            found.append(str(f))
    return found


def test_no_secret_leaks(small_run):
    assert _leaks(SECRET, small_run.db, small_run.out, small_run.err) == []
    passwd = Path("/etc/passwd")
    if passwd.exists() and passwd.read_text().strip():
        first = passwd.read_text().splitlines()[0]
        assert _leaks(first, small_run.db, small_run.out, small_run.err) == []


def test_external_dtd_is_never_fetched(cin, write, populated, store):
    """A listening socket stands in for the DTD's server: nobody may connect to it."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.setblocking(False)
        port = server.getsockname()[1]
        files = []
        for i, doctype in enumerate([
            f'<!DOCTYPE Message SYSTEM "http://127.0.0.1:{port}/x.dtd">',
            f'<!DOCTYPE Message [<!ENTITY xxe SYSTEM "http://127.0.0.1:{port}/e">]>',
            f'<!DOCTYPE Message [<!ENTITY % p SYSTEM "http://127.0.0.1:{port}/p"> %p;]>',
        ]):
            child = "&xxe;" if "xxe" in doctype else "C1"
            files.append(write(f"net{i}.xml", _doc(cin, child_id=child, doctype=doctype)))
        db, before = populated
        code, out, err, seconds, _ = run_measured("--db", db, "ingest", *files)
        assert code == 1 and out == "" and seconds < QUICK_S
        assert err.splitlines() == [f"rejected {f}: the file has a DOCTYPE; CIN census returns never do, and "
                                    "munro refuses them because they can carry entity attacks" for f in files]
        with pytest.raises(BlockingIOError):
            server.accept()
    assert store.snapshot(db) == before


def test_declared_iso_8859_1_with_latin1_bytes_loads(cin, write, populated, store):
    """Decided: an encoding the file declares and really uses is honoured (XML 1.0 allows it; lxml
    decodes it), so a Latin-1 file with an accented character loads and the text is right."""
    db, _ = populated
    text = cin.xml(2023, [cin.Child(id="L1")], la="202", declaration='<?xml version="1.0" encoding="ISO-8859-1"?>')
    text = text.replace("<SoftwareCode>munro tests</SoftwareCode>", "<SoftwareCode>Logiciel é</SoftwareCode>")
    path = write("latin1.xml", text.encode("iso-8859-1"))
    code, out, err, _, _ = run_measured("--db", db, "ingest", path)
    assert (code, err) == (0, "")
    assert out.startswith(f"{path}: loaded as return 2 (LA 202, 2022-23): 1 children")
    assert store.query(db, "SELECT software_code FROM returns WHERE la_code = '202'") == [("Logiciel é",)]


# ---------------------------------------------------------------- big files, small memory


def _sparse(path: Path, start: bytes, size: int = 2 * GiB) -> Path:
    with open(path, "wb") as f:
        f.write(start)
        f.truncate(size)
    return path


def test_two_gib_of_garbage(write, populated, store, tmp_path):
    garbage = bytes([0x1f]) + random.Random(2).randbytes(1 << 20)
    path = _sparse(tmp_path / "garbage.xml", garbage)
    assert_rejected(populated, store, path, "not an XML file", quick=BIG_QUICK_S)
    path.unlink()


def test_two_gib_of_zeros_after_a_valid_start(cin, write, populated, store, tmp_path):
    text = cin.xml(2023, cin.many(2023, 3))
    start = text[:text.rindex("  </Children>")]
    path = _sparse(tmp_path / "zeros.xml", start.encode())
    line = start.count("\n") + 1
    assert_rejected(populated, store, path,
                    f"not well-formed XML at line {line}: Invalid character: Char 0x0 out of allowed range",
                    quick=BIG_QUICK_S)
    path.unlink()


def _junk(n_bytes: int) -> bytes:
    unit = b"<Junk><More>well-formed garbage, elements the reader asks nothing about</More></Junk>\n"
    return unit * (n_bytes // len(unit))


@pytest.mark.parametrize("where", ["after the header", "after the children", "inside a child"])
def test_well_formed_garbage_is_streamed_not_held(cin, write, populated, store, tmp_path, where):
    """64 MB of well-formed elements the reader never asked for (then a sparse tail to 2 GiB): it must
    give up early instead of building them all in memory (64 MB of them take about 500 MB)."""
    text = cin.xml(2023, cin.many(2023, 3))
    if where == "after the header":
        cut = text.index("  <Children>")
    elif where == "after the children":
        cut = text.index("</Children>") + len("</Children>\n")
    else:
        cut = text.index("<ChildCharacteristics>", text.index("K000002"))
    path = tmp_path / "junk.xml"
    with open(path, "wb") as f:
        f.write(text[:cut].encode())
        f.write(_junk(64 << 20))
        f.truncate(2 * GiB)
    assert_rejected(populated, store, path, "this is not a CIN census return", quick=BIG_QUICK_S)
    path.unlink()  # 64 MB on disk: not worth keeping among pytest's last runs


def test_giant_child_in_a_large_file_read_in_parallel(cin, populated, store, tmp_path):
    """A file large enough for the parallel reader (with a proper ending), one child of which is
    mostly garbage, more than a piece: no worker may read that piece whole."""
    from munro.census import parallel
    big_enough = getattr(parallel, "MIN_PARALLEL_BYTES", 48 << 20) + getattr(parallel, "CHUNK_BYTES", 16 << 20)
    text = cin.xml(2023, cin.many(2023, 3))
    cut = text.index("<ChildCharacteristics>", text.index("K000002"))
    path = tmp_path / "giant.xml"
    with open(path, "wb") as f:
        f.write(text[:cut].encode())
        f.write(_junk(max(big_enough, (24 << 20) + (4 << 20))))
        f.write(text[cut:].encode())
    assert_rejected(populated, store, path, "this is not a CIN census return")
    path.unlink()


# ---------------------------------------------------------------- the store, fresh


def test_rejected_file_leaves_a_new_store_empty(write, tmp_path, store):
    db = tmp_path / "fresh.duckdb"
    path = write("x.xml", b"<html/>")
    code, out, err, _, _ = run_measured("--db", db, "ingest", path)
    assert code == 1 and out == "" and err.count("\n") == 1
    assert store.query(db, "SELECT count(*) FROM returns") == [(0,)]
    assert store.data_rows(db) == 0
