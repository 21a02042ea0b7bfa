"""Build the optional compiled walker (census/_fastwalk.pyx) against lxml's headers.

Everything else is in pyproject.toml. If the compiler is missing the build
carries on without it and munro uses the pure Python walker (slower, same rows).
"""

import lxml
from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "munro.census._fastwalk",
            ["src/munro/census/_fastwalk.pyx"],
            include_dirs=lxml.get_include(),
            optional=True,
        )
    ]
)
