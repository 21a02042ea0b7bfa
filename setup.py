"""Build the optional compiled walker (census/_fastwalk.pyx) against lxml's headers.

Everything else is in pyproject.toml. The wheel is pure Python (``py3-none-any``)
when the extension is not built: MUNRO_PURE_PYTHON=1 at build time asks for that,
and a missing compiler, Cython or lxml headers gives it (munro then uses the pure
Python walker: slower, same rows). Otherwise the wheel is tagged for this
interpreter and platform.
"""

import os

from setuptools import Extension, setup

try:
    from setuptools.command.bdist_wheel import bdist_wheel
except ImportError:  # setuptools before 70.1 (pyproject's [build-system] pins a newer one)
    from wheel.bdist_wheel import bdist_wheel


def _extensions() -> list[Extension]:
    if os.environ.get("MUNRO_PURE_PYTHON"):
        return []
    try:
        import lxml
    except ImportError:
        return []
    # optional: a failed compile is a warning, and the build carries on without the module
    return [Extension("munro.census._fastwalk", ["src/munro/census/_fastwalk.pyx"],
                      include_dirs=lxml.get_include(), optional=True)]


class BdistWheel(bdist_wheel):
    """Tags the wheel by what was built, not by what was asked for: an optional extension that
    failed to compile leaves a pure Python wheel, which setuptools alone would tag for this platform."""

    def run(self):
        if not self.skip_build:
            self.reinitialize_command("build_ext").inplace = False
            self.run_command("build")
            self.skip_build = True  # the install below copies what was just built
        build_ext = self.get_finalized_command("build_ext")
        self.root_is_pure = not any(os.path.exists(build_ext.get_ext_fullpath(ext.name))
                                    for ext in self.distribution.ext_modules or [])
        super().run()


setup(ext_modules=_extensions(), cmdclass={"bdist_wheel": BdistWheel})
