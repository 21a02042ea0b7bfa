"""The ``munro`` command line: a thin layer over the library.

Each command parses its options, calls one documented function, and prints
the result. A ``MunroError`` (the user's input or options) becomes one line
on stderr and a non-zero exit, never a traceback.

Import time: each command imports the library's modules it calls when it runs (inside its function), so
that ``munro --help`` and every other command stay quick; this module imports only what every command uses.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from .errors import MunroError

# Every --year and --la is read by one type, and --db is taken after a command's name too (munro.options).
from .options import (
    DATE,
    LA,
    LA_FOR_POPULATION,
    LA_OR_ALL,
    LA_SYNTHETIC,
    YEAR,
    YEARS,
    FormatChoice,
    MunroGroup,
    db_option,
)
from .years import year_label


@click.group(cls=MunroGroup)
@db_option
@click.option("--quiet", is_flag=True,
              help="Show no progress (long work shows its progress on stderr when stderr is a terminal).")
@click.version_option(package_name="munro")
@click.pass_context
def cli(ctx: click.Context, db: Path, quiet: bool) -> None:
    """Child protection performance information from the CIN census and local evidence."""
    ctx.obj = {"db": db, "quiet": quiet}
    _record_changes()  # the audit log: every command that changes something (below)
    # Every file the command writes is its owner's only (the outputs of a store are about children: findings,
    # samples, exports); the user shares one on purpose by copying it (munro.private).
    from .private import owner_only_from_now

    owner_only_from_now()


def _progress(quiet: bool = False):
    """Long work's progress on stderr until the command ends, when stderr is a terminal and --quiet was
    not given; else None (``munro.progress.terminal``). What goes to stdout is the same either way."""
    from .progress import terminal

    ctx = click.get_current_context()
    return ctx.with_resource(terminal(quiet or bool((ctx.find_object(dict) or {}).get("quiet"))))


def _pause(progress) -> None:
    """Erase the progress line before the command prints (it comes back with the next step)."""
    from .progress import pause

    pause(progress)


# --format: the formats munro.renderers has for the command's kind of result; a listing's are a table for people
# and JSON for programs (munro.output).
_LISTING_FORMAT = click.option("--format", "fmt", type=FormatChoice("listing"), default="table",
                               show_default=True, help="table for people; json for programs (a list of objects).")


@cli.command()
@click.option("--la", required=True, type=LA_SYNTHETIC,
              help="The LA: its 3-digit DfE code (330) or its name; another 3-digit code with --population.")
@click.option("--years", required=True, type=YEARS,
              help="Collection years: a range (2021-2025), a comma list (2023,2024) or one year (2025 or 2024-25).")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the returns (created if missing).")
@click.option("--seed", default=0, show_default=True, help="Random seed: the same seed gives the same files.")
@click.option("--scale", default=1.0, show_default=True, help="Multiply the LA's child population by this.")
@click.option("--population", type=int, default=None,
              help="0-17 population to simulate (for a code with no published population).")
@click.option("--schema-year", type=YEAR, default=None,
              help="Write every return in this collection year's format (default: each return's own year).")
@click.option("--errors", "n_errors", default=0, show_default=True,
              help="Inject this many realistic data errors per return.")
@click.option("--annex-a", "annex_a", type=DATE, default=None,
              help="Also write the same children's Annex A workbook (lists 1-7) as at DATE, within the years.")
@click.option("--annex-a-months", type=click.Choice(["6", "12"]), default="12", show_default=True,
              help="Months the Annex A covers, ending on its date.")
@click.option("--in-year", "in_year", type=DATE, multiple=True,
              help="Also write an in-year extract of the same children as at DATE (repeatable).")
@click.option("--monthly-extracts", is_flag=True,
              help="Also write an in-year extract at the end of each month of the last year, April to February.")
@click.option("--quiet", is_flag=True, help="Show no progress (as munro --quiet).")
def synth(la, years, out_dir, seed, scale, population, schema_year, n_errors, annex_a, annex_a_months, in_year,
          monthly_extracts, quiet):
    """Write realistic synthetic CIN census returns, one file per collection year."""
    from .synth import generate, month_ends

    progress = _progress(quiet)
    extracts = [*in_year, *(month_ends(max(years)) if monthly_extracts and years else ())]
    results = generate(
        la, years, out_dir, seed=seed, scale=scale, population=population,
        schema_year=schema_year, errors=n_errors, annex_a=annex_a, annex_a_months=int(annex_a_months),
        in_year=extracts, progress=progress,
    )
    _pause(progress)
    for r in results:
        line = f"{r.path}: {r.children:,} children, {r.episodes:,} episodes, {r.cp_plans:,} plans"
        if r.manifest:
            line += f"; {r.errors:,} injected errors listed in {r.manifest}"
        if r.local:
            line += f"; local records in {len(r.local)} CSV files beside it"
        if r.annex_a:
            line += f"; Annex A in {r.annex_a}"
        if r.reference_date:
            line += f"; an in-year extract as at {r.reference_date.isoformat()}"
        click.echo(line)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--schema-year", type=YEAR, default=None,
              help="Read the files in this collection year's format instead of the one their header names.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Threads reading a large file's pieces, and sharing the rules of a return under 64 MB "
                   "(default: the number of CPUs, at most 4).")
@click.option("--kind", default=None, metavar="KIND",
              help="Read every file as this local CSV layout, or annex-a (default: CSVs by their header row, "
                   "workbooks with Annex A's sheets as Annex A; docs/local-data.md, docs/annex-a.md).")
@click.option("--la", type=LA, default=None,
              help="LA of the local CSVs and Annex A workbooks: its code (330) or name (default: the store's only LA).")
@click.option("--year", type=YEAR, default=None,
              help="Reporting year of the local CSVs: 2025, 2024-25 or 2024/25 (default: the year in each file's "
                   "name, unless the file's dates show another; docs/local-data.md).")
@click.option("--force", is_flag=True,
              help="Load a local CSV though fewer than half of its children are in the LA's CIN census returns.")
@click.option("--replace", is_flag=True,
              help="Load a file that would replace a loaded return (or local file) of the same LA and year "
                   "though it has far fewer children, episodes or plans, or covers less of the year.")
@click.option("--as-at", "as_at", type=DATE, default=None,
              help="The date an Annex A workbook's lists run to (default: a date in its name; docs/annex-a.md).")
@click.option("--months", type=click.Choice(["6", "12"]), default=None,
              help="The months an Annex A workbook covers (default: 6 when every dated record of lists 1-5 is "
                   "in the 6 months to its as-at date, else 12).")
@_LISTING_FORMAT
@click.pass_obj
def ingest(obj, files, schema_year, workers, kind, la, year, force, replace, as_at, months, fmt):
    """Load CIN census returns, local CSVs and Annex A workbooks into the store (atomic per file; the same file
    twice changes nothing)."""
    from .loading import load_files

    rejected, done = 0, []
    workers = workers or min(os.cpu_count() or 1, 4)
    progress = _progress()
    for outcome in load_files(obj["db"], files, kind=kind, la=la, year=year, schema_year=schema_year,
                              workers=workers, replace=replace, force=force, progress=progress,
                              as_at=as_at, months=int(months) if months else None,
                              warn=lambda message: (_pause(progress), _warn(message))):
        _pause(progress)
        done.append(outcome)
        if outcome.error:
            rejected += 1
            # One line per rejected file, whatever a parser's message holds.
            click.echo("rejected " + " ".join(outcome.error.splitlines()), err=True)
        elif fmt == "table":  # a line per file as it is loaded; another format once all are
            click.echo(outcome.summary())
    if fmt != "table":
        from .output import render

        click.echo(render(fmt, done, lambda outcomes: "\n".join(o.summary() for o in outcomes if not o.error),
                          lambda outcomes: [o.record() for o in outcomes]))
    if rejected:
        raise SystemExit(1)


def _warn(message: str) -> None:
    """A warning from the library: one line on stderr; the command goes on."""
    click.echo(f"munro: warning: {message}", err=True)


@cli.command("returns")
@click.option("--all", "show_all", is_flag=True, help="Include superseded returns.")
@_LISTING_FORMAT
@click.pass_obj
def returns_(obj, show_all, fmt):
    """List the returns loaded in the store, and the files of local records loaded beside them."""
    from .output import render
    from .store.returns import format_loaded, list_local_loads, list_returns, loaded_records

    loaded = (list_returns(obj["db"], include_superseded=show_all),
              list_local_loads(obj["db"], include_superseded=show_all))
    click.echo(render(fmt, loaded, format_loaded, loaded_records))


@cli.command()
@click.option("--la", type=LA_OR_ALL, default=None,
              help="An LA with a loaded return, by code (330) or name, or 'all' for every LA.")
@click.option("--year", type=YEAR, default=None, help="Reporting year: 2025, 2024-25 or 2024/25.")
@click.option("--format", "fmt", type=FormatChoice("indicators"), default="table",
              show_default=True, help="Output format.")
@click.option("--items", default=None, help="Comma-separated item ids (default: every item computed so far).")
@click.option("--engine", default="duckdb", show_default=True, metavar="ENGINE",
              help="Where the items run: duckdb (the store), postgresql://... (a munro export there), "
                   "spark or spark://host:port (local or cluster Spark over the export folder given by --db).")
@click.option("--schema", default="munro", show_default=True, help="PostgreSQL schema of the export.")
@click.option("--population", type=click.IntRange(1), default=None,
              help="0-17 population of the LA for its rates (instead of the store's own; one LA only).")
@click.option("--show-sql", "show_sql", default=None, metavar="ID",
              help="Print the SQL item ID compiles to, instead of computing it (needs --year).")
@click.option("--dialect", type=click.Choice(["duckdb", "postgres", "mssql", "spark"]), default="duckdb",
              show_default=True, help="SQL dialect for --show-sql.")
@click.option("--region", default=None, metavar="NAME",
              help='An English region, e.g. "West Midlands": its LAs in the store as one (sums of numerators '
                   "over sums of denominators).")
@click.option("--group", "group", default=None, metavar="CODES",
              help="LAs by DfE code, e.g. 330,331,332, as one (as --region).")
@click.option("--visiting-standard", type=click.IntRange(1, 100), default=10, show_default=True,
              help="child_seen_per_cpp: the longest gap between visits, in working days (one LA or all).")
@click.option("--as-at", "as_at", type=DATE, default=None,
              help="Instead of --year: the 12 months ending on this date (2025-10-31 or 31/10/2025), as an "
                   "extract taken that day would give them.")
@click.option("--months", type=int, default=None,
              help="With --as-at and one --la: a monthly series of this many rolling 12-month points (1 to 36) "
                   "up to the as-at date.")
@click.option("--source", type=click.Choice(["auto", "cin", "annex-a"]), default=None,
              help="One LA's figures from its CIN census returns, its Annex A alone, or auto: the returns when the "
                   "year's is loaded, else the Annex A (the default when the year's return is not loaded; "
                   "docs/annex-a.md). With annex-a and no --year: the 12 months to its latest as-at date.")
@click.option("--by", type=click.Choice(["team", "worker"]), default=None,
              help="One LA's items per team or per social worker (their allocations at the period's end; "
                   "docs/drill-down.md). By worker is restricted: it needs --out.")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="With --by: write the breakdown to this file (owner-only) instead of showing it.")
@click.pass_obj
def indicators(obj, la, year, fmt, items, engine, schema, population, show_sql, dialect, region, group,
               visiting_standard, as_at, months, source, by, out):
    """Compute the information items of definitions.md for one LA (or all, a region or a group) and a year,
    or as at any date, or as a monthly series, or one LA's per team or worker (--by)."""
    from .indicators.compute import compute, compute_all
    from .indicators.output import render

    if by is not None or out is not None:
        if months is not None or source is not None:
            raise click.UsageError("--by breaks down one period's figures from the CIN census returns: it cannot "
                                   "be used with --months or --source.")
        _indicators_by(obj, la, year, as_at, by, out, fmt, items, engine, schema, population, show_sql, region,
                       group, visiting_standard)
        return
    if as_at is not None or months is not None:
        if source is not None:
            raise click.UsageError("--source cannot be used with --as-at: an as-at date's figures are the CIN "
                                   "census returns' and extracts'.")
        _indicators_as_at(obj, la, year, fmt, items, engine, schema, population, show_sql, region, group,
                          visiting_standard, as_at, months)
        return
    wanted = [i.strip() for i in items.split(",") if i.strip()] if items else None
    if source is not None and (la in ("all", None) or population is not None or show_sql):
        raise click.UsageError("--source is one LA's (--la), with the store's own population")
    if la not in ("all", None) and population is None and not (show_sql or region or group):
        from .indicators.annex_a import compute_chosen

        with _engine(obj["db"], engine, schema) as eng:  # None: the year's return is there, and asked for
            chosen = compute_chosen(eng, la, year, wanted, source=source, visiting_standard=visiting_standard)
        if chosen is not None:
            click.echo(render(fmt, chosen).rstrip("\n"))
            return
    if year is None:
        raise click.UsageError("Missing option '--year' (or --as-at).")
    if show_sql:
        from .indicators.sql import format_sql

        click.echo(format_sql(show_sql, year, dialect).rstrip("\n"))
        return
    if sum(x is not None for x in (la, region, group)) != 1:
        raise click.UsageError("Give one of --la, --region or --group." if la or region or group
                               else "Missing option '--la'.")
    if population is not None and la in ("all", None):
        raise click.UsageError("--population is one LA's: it cannot be used with --la all, --region or --group")
    with _engine(obj["db"], engine, schema) as eng:
        if region or group:
            from .indicators.groups import compute_named_group

            results = compute_named_group(eng, year, region=region, group=group, items=wanted,
                                          visiting_standard=visiting_standard)
        else:
            from .store.returns import require_any_return, require_return

            # The store (or export folder) by name; never a PostgreSQL URL, which may hold a password.
            where = obj["db"] if not engine.startswith("postgres") else None
            if la == "all":
                require_any_return(where, year, eng.history())
                results = compute_all(eng, year, items=wanted, visiting_standard=visiting_standard)
            else:
                require_return(where, la, year, eng.history().get(la, []))
                results = compute(eng, la, year, items=wanted, visiting_standard=visiting_standard,
                                  population=None if population is None else {la: population})
    click.echo(render(fmt, results).rstrip("\n"))


def _indicators_as_at(obj, la, year, fmt, items, engine, schema, population, show_sql, region, group,
                      visiting_standard, as_at, months):
    """``munro indicators --as-at DATE [--months N]``: ``compute_as_at`` or ``compute_series``."""
    from .indicators.series import compute_as_at, compute_series
    from .renderers import render

    if as_at is None:
        raise click.UsageError("--months needs --as-at (the date the series ends on).")
    for given, name in ((year, "--year"), (show_sql, "--show-sql"), (region, "--region"), (group, "--group")):
        if given is not None:
            raise click.UsageError(f"--as-at cannot be used with {name}.")
    if la is None:
        raise click.UsageError("Missing option '--la'.")
    if months is not None and la == "all":
        raise click.UsageError("--months is one LA's series: give one --la, not all.")
    if population is not None and la == "all":
        raise click.UsageError("--population is one LA's: it cannot be used with --la all")
    wanted = [i.strip() for i in items.split(",") if i.strip()] if items else None
    pop = None if population is None else {la: population}
    with _engine(obj["db"], engine, schema) as eng:
        if months is None:
            found = compute_as_at(eng, la, as_at, items=wanted, population=pop, visiting_standard=visiting_standard)
            click.echo(render("indicators", fmt, found).rstrip("\n"))
        else:
            found = compute_series(eng, la, as_at, months, items=wanted, population=pop,
                                   visiting_standard=visiting_standard)
            click.echo(render("indicator-series", fmt, found).rstrip("\n"))


def _indicators_by(obj, la, year, as_at, by, out, fmt, items, engine, schema, population, show_sql, region, group,
                   visiting_standard):
    """``munro indicators --la LA --year Y|--as-at DATE --by team|worker``: ``munro.indicators.drill``."""
    from .indicators.drill import breakdown
    from .indicators.drill_output import write
    from .renderers import render
    from .report.drill import shown
    from .years import Period

    if by is None:
        raise click.UsageError("--out is taken with --by (a breakdown by team or worker).")
    for given, name in ((show_sql, "--show-sql"), (region, "--region"), (group, "--group")):
        if given is not None:
            raise click.UsageError(f"--by cannot be used with {name}: it breaks down one LA.")
    if la in (None, "all"):
        raise click.UsageError("--by breaks down one LA: give one --la, not all.")
    if (year is None) == (as_at is None):
        raise click.UsageError("Give one of --year or --as-at.")
    if by == "worker" and out is None:
        raise click.UsageError("--by worker names social workers: it is written only to a restricted file, "
                               "with --out FILE (as child lists are).")
    wanted = [i.strip() for i in items.split(",") if i.strip()] if items else None
    period = Period(as_at) if as_at is not None else Period.of_year(year)
    with _engine(obj["db"], engine, schema) as eng:
        found = breakdown(eng, la, period, wanted, by=by, visiting_standard=visiting_standard,
                          population=None if population is None else {la: population})
    text = render("drill-down", fmt, shown(found)).rstrip("\n")
    if out is None:
        click.echo(text)
    else:
        click.echo(f"wrote {write(out, text)}" + (" (restricted: it names social workers)" if by == "worker"
                                                    else ""))


def _engine(db: Path, engine: str, schema: str):
    """The engine the user named; the store itself (read-only) by default."""
    from .engines import connect

    if engine in ("duckdb", ""):
        from .store.db import open_store

        open_store(db, read_only=True).close()  # a clear message when there is no store
        return connect(db)
    return connect(engine, data=db, schema=schema)


@cli.command()
@click.option("--to", "target", default=None, metavar="DIR|postgresql://...",
              help="A folder for Parquet files (Spark reads it), or a PostgreSQL database URL.")
@click.option("--schema", default="munro", show_default=True, help="PostgreSQL schema to write (created if missing).")
@click.option("--la", "las", type=LA, multiple=True,
              help="Only this LA, by code or name (repeat for several; default: every LA).")
@click.option("--pseudonymise", is_flag=True,
              help="One LA's current returns for a pooled store: child identifiers as keyed hashes, dates of birth "
                   "as months (needs --key-file; docs/pooling.md).")
@click.option("--key-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The LA's secret key for --pseudonymise (never written to the export).")
@click.option("--new-key-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write a new random key to this file (owner-only, never overwritten) and stop.")
@click.pass_obj
def export(obj, target, schema, las, pseudonymise, key_file, new_key_file):
    """Copy the store's tables, merged history and calendar to Parquet or PostgreSQL, all or nothing."""
    from .store.export import export_store

    if new_key_file is not None:
        from .store.keys import new_key_file as make_key

        click.echo(f"new key written to {new_key_file} (fingerprint {make_key(new_key_file)}); keep it secret "
                   "and keep it: the same key gives the same pseudonyms every year")
        return
    if target is None:
        raise click.UsageError("Missing option '--to'.")
    if pseudonymise:
        from .store.pseudonymise import export_pseudonymised

        if len(las) > 1:
            raise click.UsageError("--pseudonymise exports one LA: give at most one --la")
        click.echo(export_pseudonymised(obj["db"], target, key_file, la=las[0] if las else None).summary())
        return
    progress = _progress()
    outcome = export_store(obj["db"], target, schema=schema, las=list(las) or None, progress=progress)
    _pause(progress)
    click.echo(outcome.summary())


@cli.command()
@click.option("--keep-years", type=click.IntRange(1), required=True,
              help="How many collection years to keep: the latest N loaded (any LA's); older years are removed.")
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
@_LISTING_FORMAT
@click.pass_obj
def retention(obj, keep_years, dry_run, fmt):
    """Remove whole collection years older than the latest N from the store, in one transaction, and log it."""
    from .output import render
    from .store.retention import retention as run

    click.echo(render(fmt, run(obj["db"], keep_years, dry_run=dry_run), lambda o: "\n".join(o.lines()),
                      lambda o: o.records()))


# ---------------------------------------------------------------- munro population (munro.population)


def _parse_population(ctx, param, text: str) -> int:
    """'250000' or '250,000' (as ONS tables print it) -> 250000; the library checks the range."""
    import re

    if re.fullmatch(r"[0-9]+|[0-9]{1,3}(,[0-9]{3})+", text.strip()):
        return int(text.strip().replace(",", ""))
    raise click.BadParameter(f"{text!r} is not a whole number such as 250000")


_LA_OPTION = dict(type=LA_FOR_POPULATION, required=True,
                  help="The LA, by code (330) or name, 'england', or a synthetic LA's 3-digit code.")
_YEAR_OPTION = dict(type=YEAR, required=True, help="Reporting year: 2025, 2024-25 or 2024/25.")


@cli.group()
def population():
    """Population denominators of rates per 10,000: ONS estimates and your overrides."""


@population.command("set")
@click.option("--la", **_LA_OPTION)
@click.option("--year", **_YEAR_OPTION)
@click.argument("count", metavar="POPULATION", callback=_parse_population)
@click.option("--note", default=None, help="Why, or where the figure comes from (shown with every rate).")
@click.pass_obj
def population_set(obj, la, year, count, note):
    """Use POPULATION (children aged 0-17) for an LA and year instead of the ONS estimate."""
    from .population import format_population, set_population

    click.echo(format_population(la, year, set_population(obj["db"], la, year, count, note=note)))


@population.command("unset")
@click.option("--la", **_LA_OPTION)
@click.option("--year", **_YEAR_OPTION)
@click.pass_obj
def population_unset(obj, la, year):
    """Remove an override: the LA and year go back to the ONS estimate (or to none)."""
    from .population import format_population, unset_population

    click.echo(format_population(la, year, unset_population(obj["db"], la, year)))


@population.command("list")
@click.option("--la", type=LA_FOR_POPULATION, default=None, help="Only this LA's overrides (code or name).")
@_LISTING_FORMAT
@click.pass_obj
def population_list(obj, la, fmt):
    """List the population overrides in the store."""
    from .output import render
    from .population import format_populations, list_populations

    click.echo(render(fmt, list_populations(obj["db"], la=la), format_populations))


@population.command("show")
@click.option("--la", **_LA_OPTION)
@click.option("--year", **_YEAR_OPTION)
@click.pass_obj
def population_show(obj, la, year):
    """The population a rate for the LA and year divides by, with its source and vintage."""
    from .population import format_population, population_for

    click.echo(format_population(la, year, population_for(obj["db"], la, year)))


# ---------------------------------------------------------------- munro validate (munro.validate)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--ruleset", type=YEAR, default=None,
              help="Check against this collection year's rules: 2025, 2024-25 or 2024/25 (default: each file's "
                   "own year).")
@click.option("--format", "fmt", type=FormatChoice("validation"), default="table",
              show_default=True, help="Output format (xlsx needs --out).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write the findings to this file instead of the screen.")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Threads reading a large file's pieces and sharing the rules (default: the number of CPUs, "
                   "at most 4).")
def validate(files, ruleset, fmt, out, workers):
    """Check CIN census files against the DfE validation rules, without loading them.

    Exit status: 0 when there is no error-type finding (queries alone are 0), 1 when there is,
    2 when a file cannot be read or an option is wrong, 3 when a rule failed to run.
    """
    from .errors import RejectedFile
    from .renderers import renderer
    from .validate import validate_file
    from .validate.output import render

    if out is None and renderer("validation", fmt).to_file:
        raise click.UsageError(f"--format {fmt} writes a workbook: give it a file with --out")
    workers = workers or min(os.cpu_count() or 1, 4)
    progress = _progress()
    try:
        reports = [validate_file(f, ruleset, workers=workers, progress=progress) for f in files]
    except RejectedFile as e:  # exit 2: status 1 says the file was read and has errors
        raise MunroError(str(e)) from None
    _pause(progress)
    text = render(reports, fmt, out)
    if text is not None:
        click.echo(text.rstrip("\n"))
    else:
        for r in reports:
            click.echo(f"{r.source}: {r.counts_line()} -> {out}")
    for r in reports:
        for failure in r.failures:
            click.echo(f"munro: {r.source}: rule {failure.code} failed to run, so the check is incomplete: "
                       f"{failure.error}", err=True)
    if any(r.failures for r in reports):
        raise SystemExit(3)
    if any(r.errors for r in reports):
        raise SystemExit(1)


# ---------------------------------------------------------------- munro benchmark (munro.benchmark)


@cli.command()
@click.option("--la", required=True, type=LA_OR_ALL,
              help="The LA, by code (330) or name, or 'all' for every LA with a return for the year.")
@click.option("--year", required=True, type=YEAR, help="Reporting year: 2025, 2024-25 or 2024/25.")
@click.option("--neighbours", type=click.Choice(["2025", "2021"]), default="2025", show_default=True,
              help="Statistical-neighbour model.")
@click.option("--format", "fmt", type=FormatChoice("benchmark"), default="table",
              show_default=True, help="Output format.")
@click.option("--items", default=None, help="Comma-separated item ids (default: every item with data).")
@click.pass_obj
def benchmark(obj, la, year, neighbours, fmt, items):
    """Compare an LA's items with England, its region, its statistical neighbours and every LA."""
    from .benchmark import compare
    from .benchmark.output import render
    from .store.returns import published_only, require_any_return

    wanted = [i.strip() for i in items.split(",") if i.strip()] if items else None
    if la == "all":
        from .benchmark import compare_all
        from .benchmark.output import render_all

        if Path(obj["db"]).is_file():
            require_any_return(obj["db"], year)
        progress = _progress()
        by_la = compare_all(obj["db"], year, neighbours=int(neighbours), items=wanted, progress=progress)
        _pause(progress)
        click.echo(render_all(fmt, year, by_la).rstrip("\n"))
        return
    progress = _progress()
    comparisons = compare(obj["db"], la, year, neighbours=int(neighbours), items=wanted, progress=progress)
    _pause(progress)
    # Without the year's return the LA's figures are its published ones, if it has any for the year.
    note = published_only(obj["db"], la, year, any(
        c.published.year == year and (c.published.value is not None or c.published.symbol) for c in comparisons))
    click.echo(render(fmt, la, year, comparisons).rstrip("\n"))
    if note:
        click.echo(f"munro: {note}", err=True)


# ---------------------------------------------------------------- munro reference (munro.benchmark.reference)


@cli.group()
def reference():
    """The published statistics munro benchmarks against: load the packaged ones, import newer ones."""


@reference.command("load")
@click.pass_obj
def reference_load(obj):
    """Load (or reload) the packaged published statistics into the store; your imports are kept."""
    from .benchmark.reference import load_reference

    click.echo(load_reference(obj["db"]).summary())


@reference.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--layout", type=click.Choice(["benchmark-csv"]), required=True,
              help="The file's layout (docs/benchmarks.md).")
@click.pass_obj
def reference_import(obj, file, layout):
    """Add published figures from FILE (newer years, other sources' items); a bad row loads nothing."""
    from .benchmark.reference import import_reference

    click.echo(import_reference(obj["db"], file, layout=layout).summary())


# ---------------------------------------------------------------- munro report (munro.report)


@cli.command()
@click.option("--la", required=True, type=LA_OR_ALL,
              help="An LA with a loaded return, by code (330) or name, or 'all': a report per LA with a return "
                   "for the year.")
@click.option("--year", type=YEAR, default=None, help="Reporting year: 2025, 2024-25 or 2024/25.")
@click.option("--as-at", "as_at", type=DATE, default=None,
              help="Instead of --year: the 12 months to this date (2025-10-31 or 31/10/2025), each item with its "
                   "monthly series and the published figures beside it (one --la).")
@click.option("--months", type=click.IntRange(1, 36), default=None,
              help="With --as-at: the points of each item's monthly series (1 to 36)  [default: 24]")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for index.html, report.pdf and report.xlsx (created if missing); with --la all, "
                   "a folder per LA in it.")
@click.option("--neighbours", type=click.Choice(["2025", "2021"]), default="2025", show_default=True,
              help="Statistical-neighbour model of the benchmarks.")
@click.option("--publish", is_flag=True,
              help="Apply disclosure control (1-5 as c, secondary suppression, rounding) to every figure.")
@click.option("--with-child-lists", is_flag=True,
              help="Also write child-lists-restricted.xlsx: the children behind the actionable items.")
@click.option("--by", "by", type=click.Choice(["team", "worker"]), default=None,
              help="team: end the internal report with an appendix of every item per team (not with "
                   "--publish). By worker is never in a report: munro indicators --by worker --out.")
@click.option("--no-pdf", is_flag=True, help="Skip report.pdf (which needs Chromium, Chrome or Edge).")
@click.pass_obj
def report(obj, la, year, as_at, months, out_dir, neighbours, publish, with_child_lists, by, no_pdf):
    """Write the performance report: the framework's sections, items, benchmarks and charts, for a reporting
    year or the 12 months to any date (--as-at, with each item's monthly series)."""
    from .report import write_report, write_reports

    if (year is None) == (as_at is None):
        raise click.UsageError("Give one of --year or --as-at.")
    if months is not None and as_at is None:
        raise click.UsageError("--months needs --as-at (the date the series ends on).")
    if as_at is not None and (la == "all" or with_child_lists):
        raise click.UsageError("--as-at is one LA's report, without child lists: give one --la and no "
                               "--with-child-lists.")
    if by == "worker":
        raise click.UsageError("a breakdown by worker names staff and is never in a report: write it to a "
                               "restricted file with munro indicators --by worker --out FILE.")
    if by == "team" and publish:
        raise click.UsageError("--by team is the internal report's appendix: not with --publish.")
    progress = _progress()
    options = dict(publish=publish, with_child_lists=with_child_lists, neighbours=int(neighbours), pdf=not no_pdf,
                   progress=progress, by_team=by == "team")
    if as_at is not None:
        options.update(as_at=as_at, months=months or 24)
    if la == "all":
        for code, written in write_reports(obj["db"], year, out_dir, **options):
            _pause(progress)
            click.echo(f"LA {code}: " + "; ".join(written.lines()))
        return
    written = write_report(obj["db"], la, year, out_dir, **options)
    _pause(progress)
    click.echo("\n".join(written.lines()))


# ---------------------------------------------------------------- munro annex-a (munro.report.annex_a)


@cli.command("annex-a")
@click.option("--la", required=True, type=LA, help="An LA with loaded returns, by code (330) or name.")
@click.option("--as-at", "as_at", type=DATE, required=True,
              help="The Annex A's date (2025-10-31 or 31/10/2025): nothing after it is shown.")
@click.option("--months", type=click.Choice(["6", "12"]), default="12", show_default=True,
              help="Months the Annex A covers, ending on its date.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The workbook to write (.xlsx): restricted, it holds child-level data.")
@click.pass_obj
def annex_a(obj, la, as_at, months, out):
    """Write Ofsted's Annex A lists 3 to 7 from the store, in the template's layout (restricted: child-level)."""
    from .report.annex_a import write_annex_a_from_store

    path, lists = write_annex_a_from_store(obj["db"], la, as_at, int(months), out)
    click.echo("\n".join(lists.lines(path)))


# ---------------------------------------------------------------- munro survey / munro audit (munro.local)
# The application database is <store>.app.sqlite beside --db, or MUNRO_APP_DB (a file or a URL).


def _app(obj):
    from .local.appdb import open_app_db

    return open_app_db(store=obj["db"])


def _echo_listing(fmt, rows, as_table) -> None:
    """A listing of the application database in --format; an empty one prints no line (JSON: [])."""
    from .output import render

    text = render(fmt, rows, as_table)
    if text:
        click.echo(text)


@cli.group()
def survey():
    """Surveys of children, families, staff and partner agencies (docs/local.md)."""


@survey.command("create")
@click.option("--la", required=True, type=LA, help="The LA, by code (330) or name.")
@click.option("--instrument", required=True, help="An instrument of the question bank, e.g. children-12-17.")
@click.option("--version", "version_", type=int, default=None, help="Its version (default: the latest).")
@click.option("--opens", required=True, type=DATE, help="First day of answers (2026-01-05 or 05/01/2026).")
@click.option("--closes", required=True, type=DATE, help="Last day of answers.")
@click.option("--title", default=None, help="Title shown to respondents (default: the instrument's).")
@click.option("--min-group", type=int, default=None,
              help="Fewest respondents a group needs to be shown (default 10 children and families, 5 staff).")
@click.option("--invited", type=int, default=None, help="How many people were asked, for the response rate.")
@click.pass_obj
def survey_create(obj, la, instrument, version_, opens, closes, title, min_group, invited):
    """Create a survey of one instrument version for an LA."""
    from .local.surveys import create_survey

    s = create_survey(_app(obj), la=la, instrument=instrument, version=version_, opens_on=opens, closes_on=closes,
                      title=title, min_group=min_group, invited=invited)
    click.echo(f"survey {s.id} created: {s.instrument}/{s.version} for LA {s.la_code}, open {s.opens_on} to "
               f"{s.closes_on}, minimum group {s.min_group}")


@survey.command("list")
@click.option("--la", type=LA, default=None, help="Only this LA's surveys (code or name).")
@_LISTING_FORMAT
@click.pass_obj
def survey_list(obj, la, fmt):
    """List the surveys: number, LA, instrument version, dates, open or closed, responses."""
    from .local.output import format_surveys
    from .local.surveys import survey_rows

    _echo_listing(fmt, survey_rows(_app(obj), la), format_surveys)


@survey.command("questions")
@click.argument("name", metavar="SURVEY_OR_INSTRUMENT")
@click.option("--format", "fmt", type=FormatChoice("questions"), default="table", show_default=True,
              help="table for people; json for programs; csv: the header row an import of answers expects.")
@click.pass_obj
def survey_questions(obj, name, fmt):
    """The questions of a survey (by its number) or of an instrument of the question bank (children-12-17,
    or children-12-17/1 for a version), with their answers; --format csv gives an import template."""
    from .local.surveys import named_version
    from .renderers import render

    text = render("questions", fmt, named_version(name, app=lambda: _app(obj)))
    click.echo(text.rstrip("\n"))


@survey.command("import")
@click.argument("survey_id", type=int)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--tool", required=True, type=click.Choice(["msforms", "smartsurvey", "surveymonkey"]),
              help="The tool the CSV was exported from.")
@click.option("--mapping", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A TOML column mapping (docs/local.md) for columns not named as the questions are.")
@click.pass_obj
def survey_import(obj, survey_id, file, tool, mapping):
    """Load the responses of an export; a file with any bad cell loads nothing."""
    from .local.survey_import import import_responses

    click.echo(import_responses(_app(obj), survey_id, file, tool, mapping_file=mapping).line())


@survey.command("results")
@click.argument("survey_id", type=int)
@click.option("--format", "fmt", type=FormatChoice("survey-results"), default="table", show_default=True,
              help="Output format.")
@click.option("--role", default="analyst", show_default=True,
              help="Whose view: free text is shown only to survey_admin and triage.")
@click.pass_obj
def survey_results_(obj, survey_id, fmt, role):
    """Results of a closed survey, disclosure-controlled."""
    from .local.output import render_survey_results
    from .local.results import survey_results

    click.echo(render_survey_results(survey_results(_app(obj), survey_id, role=role), fmt))


@survey.command("open")
@click.argument("survey_id", type=int)
@click.pass_obj
def survey_open(obj, survey_id):
    """Open a survey now that was set to open later (its open date becomes today)."""
    from .local.surveys import open_survey

    s = open_survey(_app(obj), survey_id)
    click.echo(f"survey {s.id} is open from {s.opens_on} to {s.closes_on}")


@survey.command("groups")
@click.argument("survey_id", type=int)
@click.argument("labels", nargs=-1)
@click.option("--question", default=None,
              help="The question the groups are for (default: the survey's one question asking for a group).")
@click.option("--from-file", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="A text file with one group on each line, instead of LABELS.")
@click.pass_obj
def survey_groups_(obj, survey_id, labels, question, from_file):
    """Show the groups people answering choose from (a team), or set them: munro survey groups 4 North South."""
    from .local.survey_groups import label_questions, set_groups, survey_groups
    from .local.surveys import get_survey, survey_version

    app = _app(obj)
    s = get_survey(app, survey_id)
    v = survey_version(s)
    asks = [q.id for q in label_questions(v)]
    if not asks:
        raise MunroError(f"survey {survey_id} ({v.key}) asks no question answered by choosing a group")
    if from_file is not None:
        try:
            labels = from_file.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise MunroError(f"{from_file}: not a readable text file ({e})") from None
    if labels or from_file is not None:
        if question is None and len(asks) > 1:
            raise MunroError(f"survey {survey_id} asks for more than one group ({', '.join(asks)}): "
                             "name one with --question")
        question = question or asks[0]
        set_groups(app, s, v, question, labels)
    current = survey_groups(app, survey_id)
    for qid in asks:
        click.echo(f"{qid}: " + (", ".join(current[qid]) if current.get(qid) else "no groups listed: "
                                 "people answering cannot say which"))


@survey.command("invite")
@click.argument("survey_id", type=int)
@click.option("--count", required=True, type=click.IntRange(1, 10_000), help="How many one-time codes to make.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="CSV to write (a new file, owner-only): code, link, link with the code, for a mail merge.")
@click.pass_obj
def survey_invite(obj, survey_id, count, out):
    """Make one-time invitation codes: the survey then takes a response only with an unused one."""
    import datetime as dt

    from .local.invitations import codes_csv, create_codes
    from .local.respond import link_key
    from .local.surveys import get_survey
    from .private import open_new
    from .web.config import Config

    app = _app(obj)
    s = get_survey(app, survey_id)
    config = Config.from_env(store=obj["db"])
    link = f"{config.public_url}/s/{link_key(config.secret_key, s.id)}" if config.public_url else None
    try:  # a new file only, taken before the codes are made: they are shown once, and an earlier file's stay
        f = open_new(out, newline="")
    except FileExistsError:
        raise MunroError(f"{out} exists: choose a new file for the codes") from None
    except OSError as e:
        raise MunroError(f"{out}: cannot be written ({e.strerror})") from None
    with f:
        try:
            codes = create_codes(app, s, count, dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0))
        except BaseException:
            f.close()
            out.unlink()
            raise
        f.write(codes_csv(codes, link))
    click.echo(f"{count} invitation codes for survey {s.id} written to {out}; the survey now takes answers only "
               "with an unused code")
    if link is None:
        _warn("MUNRO_PUBLIC_URL is not set: the file has no links; set it to the address people reach the service at")


@survey.command("close")
@click.argument("survey_id", type=int)
@click.pass_obj
def survey_close(obj, survey_id):
    """Close a survey: no more answers, and its results can be shown."""
    from .local.surveys import close_survey

    s = close_survey(_app(obj), survey_id)
    click.echo(f"survey {s.id} closed at {s.closed_at:%Y-%m-%d %H:%M} UTC")


@cli.group()
def audit():
    """Case-file audits: sample cases, record grades, report (docs/local.md)."""


@audit.command("sample")
@click.option("--la", required=True, type=LA, help="An LA with a loaded return, by code (330) or name.")
@click.option("--year", required=True, type=YEAR, help="Reporting year: 2025, 2024-25 or 2024/25.")
@click.option("--size", required=True, type=click.IntRange(1), help="How many cases.")
@click.option("--seed", default=0, show_default=True, help="The same seed draws the same cases.")
@click.option("--cohort", type=click.Choice(["cp-plans", "referrals"]), default="cp-plans", show_default=True,
              help="Children whose plan started in the year, or episodes referred in it.")
@click.option("--stratify", type=click.Choice(["category", "source", "none"]), default="category",
              show_default=True, help="Strata: initial category of the plan, referral source, or none.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="CSV to write: the audit spreadsheet with the cases filled in.")
@click.pass_obj
def audit_sample(obj, la, year, size, seed, cohort, stratify, out):
    """Draw a reproducible random sample of cases from the store, as an audit spreadsheet."""
    from collections import Counter

    from .local.audits import AUDIT_FORM, sample_cases
    from .local.bank import load_bank
    from .local.output import sample_csv
    from .store.returns import require_return

    require_return(obj["db"], la, year)  # a year without its return holds only what later returns repeat
    cases = sample_cases(obj["db"], la, year, size, seed=seed, cohort=cohort, stratify=stratify)
    domains = [q.id for q in load_bank().get(AUDIT_FORM).questions]
    out.write_text(sample_csv(cases, la, domains), encoding="utf-8")
    strata = ", ".join(f"{s} {n}" for s, n in sorted(Counter(c["stratum"] for c in cases).items()))
    click.echo(f"{len(cases)} cases written to {out} ({strata})")  # the children are in the file only


@audit.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--la", required=True, type=LA, help="The LA, by code (330) or name.")
@click.option("--year", required=True, type=YEAR, help="Reporting year of the audits: 2025, 2024-25 or 2024/25.")
@click.option("--no-store-check", is_flag=True, help="Do not check that each case is an episode in the store.")
@click.pass_obj
def audit_import(obj, file, la, year, no_store_check):
    """Record audits from a CSV or XLSX spreadsheet; a file with any bad row loads nothing."""
    from .local.audit_import import import_audits

    n = import_audits(_app(obj), file, la, year, store=None if no_store_check else obj["db"])
    click.echo(f"{n} audits recorded for LA {la}, {year_label(year)}")


@audit.command("results")
@click.option("--la", required=True, type=LA, help="The LA, by code (330) or name.")
@click.option("--year", required=True, type=YEAR, help="Reporting year: 2025, 2024-25 or 2024/25.")
@click.option("--publish", is_flag=True,
              help="Apply disclosure control: counts of 1 to 5, and every figure that would give one back, as c.")
@click.option("--format", "fmt", type=FormatChoice("audit-results"), default="table", show_default=True,
              help="Output format.")
@click.pass_obj
def audit_results_(obj, la, year, publish, fmt):
    """Grade distributions, moderation agreement (percent and Cohen's kappa) and trend by year."""
    from .local.audits import audit_results
    from .local.output import render_audit_results

    click.echo(render_audit_results(audit_results(_app(obj), la, year, publish=publish), fmt))


@cli.group()
def action():
    """"You said, we did": what surveys and audits heard and what was done, against a key question (docs/local.md)."""


@action.command("add")
@click.option("--la", required=True, type=LA, help="The LA, by code (330) or name.")
@click.option("--key-question", required=True,
              help="The framework's local key question the action answers (or one of its parts), word for word.")
@click.option("--you-said", required=True, help="What was heard.")
@click.option("--we-did", required=True, help="What was done, or is planned.")
@click.option("--survey", "survey_id", type=int, default=None, help="The survey it was heard in, by its number.")
@click.option("--question", "question_id", default=None, help="The survey's question it was heard in, by its id.")
@click.option("--audit-year", type=YEAR, default=None,
              help="The reporting year of the case-file audits it was heard in: 2025, 2024-25 or 2024/25.")
@click.option("--owner", default=None, help="Who is seeing to it.")
@click.option("--due", type=DATE, default=None, help="When it is due (2026-01-05 or 05/01/2026).")
@click.option("--done", is_flag=True, help="It is done (default: planned).")
@click.pass_obj
def action_add(obj, la, key_question, you_said, we_did, survey_id, question_id, audit_year, owner, due, done):
    """Record an action; the report shows it under its key question, in the year of its survey or audits (else the
    year it was recorded in)."""
    from .local.surveys import add_action

    n = add_action(_app(obj), la=la, key_question=key_question, you_said=you_said, we_did=we_did,
                   survey_id=survey_id, audit_year=audit_year, question_id=question_id, owner=owner, due_on=due,
                   status="done" if done else "planned")
    click.echo(f"action {n} recorded for LA {la} ({'done' if done else 'planned'})")


@action.command("list")
@click.option("--la", required=True, type=LA, help="The LA, by code (330) or name.")
@_LISTING_FORMAT
@click.pass_obj
def action_list(obj, la, fmt):
    """List an LA's actions: number, status, due date, key question, what was heard and what was done."""
    from .local.output import format_actions
    from .local.surveys import list_actions

    _echo_listing(fmt, list_actions(_app(obj), la), format_actions)


# --- the web service (munro.web, issue 8) ---------------------------------------------------------


@cli.command()
@click.option("--host", default=None, help="Address to listen on (default MUNRO_HOST or 127.0.0.1: this machine only).")
@click.option("--port", type=click.IntRange(1, 65535), default=None, help="Port (default MUNRO_PORT or 8000).")
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True, help="Worker threads.")
@click.pass_obj
def serve(obj, host, port, threads):
    """Run the web service under waitress (settings from MUNRO_* environment variables, docs/cli.md)."""
    from .web.config import Config
    from .web.serve import serve as run

    config = Config.from_env(store=obj["db"])
    config.host = host or config.host
    config.port = port or config.port
    if not config.secure_cookies:
        click.echo("munro serve: MUNRO_INSECURE_COOKIES=1: cookies are sent over plain http (local use only)", err=True)
    # Announced once the port is taken: a port in use is one line (MunroError) and no "serving".
    run(config, threads=threads, announce=lambda: click.echo(
        f"munro: serving {config.store} on http://{config.host}:{config.port}/ (Ctrl-C to stop)", err=True))


@cli.group()
def user():
    """Accounts of the web service (in the application database)."""


def _password() -> str:
    """From a hidden prompt (typed twice) at a terminal, else the first line of stdin: never an argument."""
    if sys.stdin.isatty():
        return click.prompt("Password", hide_input=True, confirmation_prompt=True)
    return sys.stdin.readline().rstrip("\r\n")


@user.command("add")
@click.argument("email")
@click.option("--la", "las", required=True, multiple=True, type=LA,
              help="The LA, by code (330) or name; repeat for a regional manager who sees aggregates of several.")
@click.option("--role", required=True, type=click.Choice(["administrator", "analyst", "manager", "auditor",
                                                         "survey_admin", "triage"]), help="The user's role.")
@click.option("--single-sign-on", "sso_only", is_flag=True,
              help="The account signs in only with the council's identity provider (docs/sign-in.md): no password.")
@click.pass_obj
def user_add(obj, email, las, role, sso_only):
    """Create an account (the first administrator too); the password is asked for, or read from stdin."""
    from .web.users import add_user

    u = add_user(_app(obj), email, list(las), role, None if sso_only else _password())
    click.echo(f"user {u.email} added: {u.role} of LA {', '.join(u.las)}")


@user.command("list")
@_LISTING_FORMAT
@click.pass_obj
def user_list(obj, fmt):
    """List the accounts: e-mail address, LA, role, and whether locked."""
    from .output import render
    from .web.users import format_users, list_users

    click.echo(render(fmt, list_users(_app(obj)), format_users))


@cli.group("audit-log", invoke_without_command=True)
@click.option("--la", type=LA, default=None,
              help="Only events about this LA, by code or name (default: every event, with no LA too).")
@click.option("--event", default=None, help="Only this kind of event, e.g. sign_in_failed or view_child_level.")
@click.option("--page", type=click.IntRange(1), default=1, show_default=True, help="Page of 50, newest first.")
@_LISTING_FORMAT
@click.pass_context
def audit_log_(ctx, la, event, page, fmt):
    """The audit log: sign-ins, uploads, loads, downloads, views of child lists, and every command that changes
    something (who, LA, when, from where). 'munro audit-log verify' checks its hash chain."""
    from .output import render
    from .web.audit_log import EVENTS, Page, read

    if ctx.invoked_subcommand is not None:
        return
    if event is not None and event not in EVENTS:
        raise click.BadParameter(f"{event!r} is not one of {', '.join(EVENTS)}", param_hint="--event")
    events, total = read(_app(ctx.obj), las=(la,) if la else None, event=event, page=page)
    click.echo(render(fmt, Page(events, total, page), Page.text, Page.records))


@audit_log_.command("verify")
@click.option("--expect", default=None, metavar="HASH",
              help="A latest hash an earlier verify printed (kept elsewhere): it must still be in the chain.")
@click.pass_obj
def audit_log_verify(obj, expect):
    """Walk the hash chain: the first entry deleted, altered or moved (exit 1), or 'N entries, chain intact'."""
    from .web.audit_log import verify

    verdict = verify(_app(obj), expect=expect)
    click.echo(verdict.text())
    if not verdict.intact:
        raise SystemExit(1)


# --- backups (munro.backup, docs/deploy.md) ------------------------------------------------------------


@cli.command()
@click.option("--to", "folder", required=True, type=click.Path(path_type=Path),
              help="A new (or empty) folder for this backup, e.g. one named by the date.")
@click.option("--store-only", is_flag=True,
              help="The store alone (an application database on PostgreSQL is backed up with pg_dump).")
@click.pass_obj
def backup(obj, folder, store_only):
    """Copy the store and the application database, consistently while munro serve runs, with a manifest."""
    from .backup import backup as run

    click.echo(f"backed up {run(obj['db'], folder, store_only=store_only).text()}")


@cli.command()
@click.argument("folder", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Replace an existing store and application database.")
@click.pass_obj
def restore(obj, folder, force):
    """Put a backup back as the store (--db) and its application database, after checking its manifest."""
    from .backup import restore as run

    click.echo(f"restored {run(folder, obj['db'], force=force).text()} into {obj['db']}")


# ---------------------------------------------------------------- every command that changes something is recorded
# In the audit log (munro.web.audit_log), as the operating-system user, "cli on <host>". Each command is named
# here, with its event (or a function of its options giving the event, None when that run changes nothing), or in
# READ_ONLY; one named in neither is recorded as "command", so no new command goes unrecorded
# (tests/test_cli_audit.py fails until it is named). Recorded when the command has done its work (a refused one
# changed nothing), into the application database when there is one (<store>.app.sqlite or MUNRO_APP_DB).
RECORDED = {
    "ingest": "load",
    "export": lambda o: "key_created" if o.get("new_key_file") else "export",
    "retention": lambda o: None if o.get("dry_run") else "retention_run",
    "population set": "population_set",
    "population unset": "population_unset",
    "reference load": "reference_loaded",
    "reference import": "reference_loaded",
    "report": lambda o: "export" if o.get("with_child_lists") else None,  # children's identifiers leave the store
    "annex-a": "export",  # so do they here
    "indicators": lambda o: "export" if o.get("by") == "worker" else None,  # staff named (munro.indicators.drill)
    "survey create": "survey_created",
    "survey import": "responses_imported",
    "survey close": "survey_closed",
    "survey open": "survey_opened",
    "survey groups": lambda o: "survey_groups_set" if o.get("labels") or o.get("from_file") else None,  # else shown
    "survey invite": "invitations_created",
    "audit sample": "audit_sample_drawn",
    "audit import": "audits_imported",
    "action add": "action_recorded",
    "user add": "user_added",
    "backup": "export",  # a copy of everything about children leaves the store
    "restore": "command",  # recorded in the restored application database, after its own history
}
READ_ONLY = {
    "synth",  # writes synthetic files, nothing of munro's
    "returns", "validate", "benchmark", "population list", "population show",
    "survey list", "survey questions", "survey results", "audit results", "action list", "user list", "audit-log",
    "audit-log verify",
    "serve",  # what the web service changes, it records itself
}


def commands(group: click.Group = cli, prefix: str = "") -> dict[str, click.Command]:
    """Every command under ``group`` by its path ("population set"); a group that runs on its own too."""
    found = {}
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            if command.invoke_without_command:
                found[path] = command
            found.update(commands(command, path + " "))
        else:
            found[path] = command
    return found


def _recorded(path: str, callback):
    import functools

    @functools.wraps(callback)
    def run(*args, **options):
        ctx = click.get_current_context()
        if isinstance(ctx.command, click.Group) and ctx.invoked_subcommand is not None:
            return callback(*args, **options)  # the group's subcommand records itself
        try:
            result = callback(*args, **options)
        except SystemExit as e:  # some of the work done (ingest: a file rejected, others loaded)
            if e.code:
                _record(path, ctx, options, f" (exit {e.code})")
            raise
        _record(path, ctx, options)
        return result

    return run


def _record(path: str, ctx: click.Context, options: dict, outcome: str = "") -> None:
    event = RECORDED.get(path, "command")
    event = event(options) if callable(event) else event
    if event is None or path in READ_ONLY:
        return
    from .local.appdb import app_db_url
    from .web.audit_log import record_cli

    obj = ctx.find_object(dict) or {}
    url = app_db_url(obj.get("db"))
    if url.startswith("sqlite:///") and not Path(url[len("sqlite:///"):]).exists():
        return  # no application database: no web service, no audit log (docs/security.md)
    la = options.get("la") or ",".join(options.get("las") or ()) or None
    detail = " ".join(["munro", path, *_shown(ctx)]) + outcome
    try:
        record_cli(_app(obj), event, la=None if la == "all" else la, detail=detail)
    except Exception as e:  # the work is done: say the log missed it, loudly, rather than hide the result
        _warn(f"the audit log could not record 'munro {path}': {str(e).splitlines()[0] if str(e) else e!r}")


def _shown(ctx: click.Context) -> list[str]:
    """The options and arguments given (never a password: munro reads those from a prompt or stdin)."""
    out = []
    for param in ctx.command.params:
        value = ctx.params.get(param.name)
        if value in (None, False, (), []) or (isinstance(param, click.Option) and value == param.default):
            continue
        values = value if isinstance(value, (tuple, list)) else [value]
        text = " ".join(str(v) for v in values) if value is not True else ""
        out.append(text if isinstance(param, click.Argument) else f"{param.opts[0]} {text}".rstrip())
    return out


def _record_changes() -> None:
    """Wrap every command that is not read-only to record itself (once; from the group's callback, which runs
    before any command, so a command defined anywhere in this module is wrapped)."""
    for path, command in commands().items():
        if path not in READ_ONLY and command.callback is not None and \
                not getattr(command.callback, "munro_recorded", False):
            command.callback = _recorded(path, command.callback)
            command.callback.munro_recorded = True


def _show_warnings_of_files() -> None:
    """munro.private's warning that a file others could read was made owner-only: one line, as _warn's."""
    import warnings

    from .private import FilesTightened

    shown = warnings.showwarning
    if getattr(shown, "munro", False):
        return

    def show(message, category, *args, **kwargs):
        if issubclass(category, FilesTightened):
            _warn(str(message))
        else:
            shown(message, category, *args, **kwargs)

    show.munro = True
    warnings.showwarning = show


def main(argv: list[str] | None = None) -> None:
    _show_warnings_of_files()
    try:
        cli.main(args=argv, prog_name="munro", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("munro: interrupted", err=True)
        sys.exit(130)
    except click.UsageError as e:
        # One line, as for every other problem with the input or the options (docs/cli.md).
        where = e.ctx.command_path if e.ctx is not None else "munro"
        click.echo(f"{where}: {e.format_message()} (see '{where} --help')", err=True)
        sys.exit(e.exit_code)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except MunroError as e:
        click.echo(f"munro: {e}", err=True)
        sys.exit(e.exit_code)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        click.echo("munro: interrupted", err=True)
        sys.exit(130)
    except Exception as e:  # DuckDB's or the system's error about the store (locked, damaged, disk full): one line
        from .store.db import explain

        problem = explain(e)
        if problem is None:
            raise  # a bug: its traceback is for us
        click.echo(f"munro: {problem}", err=True)
        sys.exit(problem.exit_code)


if __name__ == "__main__":
    main()
