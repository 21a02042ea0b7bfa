"""The options every command shares, defined once: how ``--year``, ``--la`` and ``--format`` are read, and the
global options (``--db``) that a command accepts after its name as well as before it.

The reading itself is the library's (``munro.years.parse_year``, ``munro.reference.resolve_la``); this
module turns its ``MunroError`` into click's "Invalid value for '--year': ..." line.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import click

from .errors import MunroError
from .years import parse_date, parse_year, parse_years

DEFAULT_DB = "munro.duckdb"
DB_HELP = "The munro store (a DuckDB file), or for --engine spark a munro export folder."
DB_DEFAULT_SHOWN = "MUNRO_DB or ./munro.duckdb"


def default_db() -> str:
    return os.environ.get("MUNRO_DB", DEFAULT_DB)


# ------------------------------------------------------------------ years


class _Read(click.ParamType):
    """A type read by a library function: its MunroError becomes click's "Invalid value for '--x': ..." line."""

    metavar = ""

    def get_metavar(self, param, ctx=None) -> str:
        return self.metavar

    def read(self, value, ctx):
        raise NotImplementedError

    def convert(self, value, param, ctx):
        try:
            return self.read(value, ctx)
        except MunroError as e:
            self.fail(str(e), param, ctx)


class YearType(_Read):
    """A reporting year: 2025, 2024-25 or 2024/25 -> 2025 (``munro.years.parse_year``)."""

    name, metavar = "year", "YEAR"

    def read(self, value, ctx):
        return parse_year(value)


class YearsType(_Read):
    """Reporting years: 2021-2025 (a range), 2023,2024 or one year -> a sorted list (``parse_years``)."""

    name, metavar = "years", "YEARS"

    def read(self, value, ctx):
        return value if isinstance(value, list) else parse_years(value)


class DateType(_Read):
    """A date as YYYY-MM-DD or DD/MM/YYYY (``munro.years.parse_date``): an as-at date, a survey's days."""

    name, metavar = "date", "DATE"

    def read(self, value, ctx):
        return parse_date(value)


YEAR = YearType()
YEARS = YearsType()
DATE = DateType()


# ------------------------------------------------------------------ local authorities


def _store_las(ctx) -> set[str]:
    """The LA codes the store named by --db already holds (returns, local records, population overrides):
    a synthetic LA's code is one of them once its returns are loaded. Empty when there is no store."""
    # Import time: the store (and DuckDB) only when an option names a synthetic LA, not for every command.
    import duckdb

    from .store.db import open_store  # with DuckDB, for the same reason

    obj = ctx.find_object(dict) if ctx is not None else None
    db = (obj or {}).get("db") or default_db()
    try:
        con = open_store(db, read_only=True)
    except (MunroError, duckdb.Error, OSError):
        return set()
    try:
        found = set()
        for table in ("returns", "local_loads", "population_overrides"):
            try:
                found |= {r[0] for r in con.execute(f"SELECT DISTINCT la_code FROM {table}").fetchall()}
            except duckdb.Error:
                pass  # an older store without the table
        return found
    finally:
        con.close()


class LAType(_Read):
    """An English LA as a user writes it: its DfE code, GSS code or name (``munro.reference.resolve_la``).

    ``all`` and ``england`` are kept where the option takes them. A 3-digit code that is no English LA's is
    taken where the store already holds it (a synthetic LA), or anywhere with ``synthetic`` (``munro synth``,
    whose library asks for a population instead).
    """

    name, metavar = "la", "LA"

    def __init__(self, *, all: bool = False, england: bool = False, synthetic: bool = False):
        self.all, self.england, self.synthetic = all, england, synthetic

    def read(self, value, ctx):
        # Import time: the packaged LA list only when an --la is read, not for munro --help.
        from .reference import local_authorities, resolve_la

        text = str(value).strip()
        for word, allowed in (("all", self.all), ("england", self.england)):
            if allowed and text.lower() == word:
                return word
        if re.fullmatch(r"[0-9]{3}", text) and text not in local_authorities() and (
                self.synthetic or text in _store_las(ctx)):
            return text
        return resolve_la(text)


LA = LAType()
LA_OR_ALL = LAType(all=True)
LA_SYNTHETIC = LAType(synthetic=True)
# munro population: England's too, and a synthetic LA's before anything of it is loaded (its rates need one)
LA_FOR_POPULATION = LAType(england=True, synthetic=True)


# ------------------------------------------------------------------ output formats


class FormatChoice(click.Choice):
    """``--format``: the formats ``munro.renderers`` has for a kind of result, in the order registered. They are
    looked up when a command runs or shows its help, not when the CLI loads, so a command imports only its
    own kind's module (the items' loads Ibis)."""

    def __init__(self, kind: str):
        self.kind = kind
        self.case_sensitive = True

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        # Import time: the register of formats only when a --format is read, not for munro --help.
        from .renderers import formats

        return formats(self.kind)


# ------------------------------------------------------------------ global options

# The munro group's own options (--db, and any other but --help and --version), kept when the group is made:
# each command and subgroup takes a copy after its name (``munro ingest f.xml --db s.duckdb``).
_GLOBALS: list[click.Option] = []


def _set_global(ctx, param, value):
    """A global option given after a command: it replaces the group's value, which the group's callback keeps in
    ``ctx.obj`` under the option's name (so ``obj["db"]``); not given, the group's value (or default) stands."""
    if value is not None and value is not False:
        ctx.ensure_object(dict)[param.name] = value
    return value


def _copy(option: click.Option) -> click.Option:
    """A command's copy of a global option. Eager, so that a --la read against the store sees the --db given."""
    return click.Option(option.opts, type=option.type, is_flag=option.is_flag, multiple=option.multiple,
                        metavar=option.metavar, default=False if option.is_flag else None, expose_value=False,
                        is_eager=True, callback=_set_global,
                        show_default=False if option.is_flag else option.show_default,
                        help=f"{option.help} Also accepted before the command.")


def db_option(f):
    """The ``munro`` group's own --db (MUNRO_DB, else ./munro.duckdb)."""
    return click.option("--db", type=click.Path(path_type=Path), default=default_db,
                        show_default=DB_DEFAULT_SHOWN, help=DB_HELP)(f)


def _add_globals(command: click.Command) -> None:
    have = {o for p in command.params for o in getattr(p, "opts", ())}
    command.params.extend(_copy(g) for g in _GLOBALS if not have & set(g.opts))  # synth keeps its own --quiet


class MunroCommand(click.Command):
    """A command that takes the global options after its name too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _add_globals(self)


class MunroSubgroup(click.Group):
    """A group under ``munro`` (``munro survey``): the global options after its name, and its commands'."""

    command_class = MunroCommand
    group_class = type  # a subgroup's subgroup is one too

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _add_globals(self)


class MunroGroup(click.Group):
    """The ``munro`` group: its options are the global ones (``munro survey list --db x`` works as
    ``munro --db x survey list``)."""

    command_class = MunroCommand
    group_class = MunroSubgroup

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _GLOBALS[:] = [p for p in self.params if isinstance(p, click.Option) and not p.is_eager]


def is_global(param: click.Parameter) -> bool:
    """Whether ``param`` is a global option: the group's own, a command's copy, or synth's own --quiet."""
    return isinstance(param, click.Option) and any(set(param.opts) & set(g.opts) for g in _GLOBALS)
