"""The Spark engine: the items run on Apache Spark over a munro export folder (Parquet).

Write the folder with ``munro export --to DIR``, then ``munro --db DIR
indicators --engine spark`` (local mode on this machine's cores), or
``--engine spark://host:7077`` (a cluster whose executors can read DIR).
Needs munro's ``spark`` extra (pyspark and Ibis's PySpark backend) and Java 17.

Each exported table becomes a temporary view of the Spark session, under its
own name, so the SQL of ``munro indicators --show-sql ID --dialect spark``
runs there unchanged.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from pathlib import Path

from ..errors import MunroError
from ..store.export import read_manifest
from .exported import ExportedEngine

# Small tables on few cores: Spark's default of 200 shuffle partitions would spend the time scheduling.
_LOCAL_CONF = {
    "spark.sql.shuffle.partitions": "8",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
    "spark.sql.session.timeZone": "UTC",
    "spark.driver.bindAddress": "127.0.0.1",
    "spark.driver.host": "127.0.0.1",
    "spark.sql.adaptive.enabled": "true",
}


def _master(target: str) -> str:
    if target == "spark":
        return f"local[{os.cpu_count() or 1}]"
    return target


def _warehouse() -> str:
    """A folder for Spark's warehouse, removed when the process ends.

    munro reads only temporary views, but Spark makes its warehouse folder as
    it starts, by default ``spark-warehouse`` in the working directory, where
    it would be left behind in the analyst's folder."""
    folder = tempfile.mkdtemp(prefix="munro-spark-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder


def _session(master: str):
    try:
        # lazily: pyspark, the spark extra, only when a Spark session starts
        from pyspark.sql import SparkSession
    except ImportError:
        raise MunroError("the Spark engine needs munro's spark extra: pip install 'munro[spark]'") from None
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise MunroError("the Spark engine needs Java 17 (apt-get install default-jre-headless)")
    builder = SparkSession.builder.master(master).appName("munro").config("spark.sql.warehouse.dir", _warehouse())
    for key, value in _LOCAL_CONF.items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except Exception as e:  # the JVM's own errors: a wrong master URL, no Java
        raise MunroError(f"Spark ({master}) did not start: {str(e).strip().splitlines()[0]}") from None
    session.sparkContext.setLogLevel("ERROR")
    return session


class SparkEngine(ExportedEngine):
    name = "spark"

    def __init__(self, folder: str | os.PathLike, master: str = "spark"):
        folder = Path(folder)
        manifest = read_manifest(folder)  # refuses a DuckDB file or a stray folder, clearly
        try:
            # lazily: the spark extra (Ibis's PySpark backend) may be missing
            import ibis
            import ibis.backends.pyspark  # noqa: F401
        except ImportError:
            raise MunroError("the Spark engine needs munro's spark extra: pip install 'munro[spark]'") from None
        session = _session(_master(master))
        super().__init__(ibis.pyspark.connect(session))
        self.path, self.session = folder, session
        self._exported = set(manifest["tables"])
        self._views: set[str] = set()

    def _table(self, name: str):
        # Registered when first read: a run reads a dozen of the export's tables, not all.
        if name not in self._views:
            if name not in self._exported:
                raise MunroError(f"{self.path}: the export has no table {name} (export the store again)")
            path = (self.path / f"{name}.parquet").resolve()
            self.session.read.parquet(str(path)).createOrReplaceTempView(name)
            self._views.add(name)
        return self.backend.table(name)

    def close(self) -> None:
        # The session is shared by the process (getOrCreate): its views go, the JVM stays for the next run.
        for name in self._views:
            self.session.catalog.dropTempView(name)


def connect(target: str, data: str | os.PathLike | None = None, **options) -> SparkEngine:
    if data is None:
        raise MunroError("the Spark engine reads a munro export folder: give it with --db DIR "
                         "(write one with 'munro export --to DIR')")
    return SparkEngine(data, master=str(target))
