"""Build hook: compile ketensim's two C extensions with Cython.

* ``ketensim/standards/rules/_screen.pyx``, the business rules' screen. It reads libxml2's nodes
  through lxml's public C API, so it is compiled against the lxml of the build environment; the
  engine uses it only when the installed lxml is that same version and otherwise runs every rule
  in Python (the same findings, more slowly).
* ``ketensim/chain/_splitmix.pyx``, the keyed random streams' hot methods (the same numbers as
  their Python twins, which run when it is missing). Compiled without floating-point contraction,
  so that ``a + b * c`` is rounded twice, as Python rounds it.
* ``ketensim/chain/_agenda.pyx``, the chain's timed calls on a heap of C structs (the same order of
  events as the Python agenda, which runs when it is missing).
* ``ketensim/chain/_columns.pyx``, the ledger's time stamps and ids written in C (the same strings
  as the Python code writes when it is missing; also compiled without contraction).

Wheels built here are therefore platform wheels. Set ``KETENSIM_NO_COMPILE=1`` (or the older
``KETENSIM_NO_SCREEN=1``) to build without a C compiler: everything then runs in Python.
"""

from __future__ import annotations

import os
import sysconfig
import tempfile
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

SCREEN = "ketensim/standards/rules/_screen.pyx"
SPLITMIX = "ketensim/chain/_splitmix.pyx"
AGENDA = "ketensim/chain/_agenda.pyx"
COLUMNS = "ketensim/chain/_columns.pyx"


class ScreenBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name != "wheel" or os.environ.get("KETENSIM_NO_COMPILE") or os.environ.get("KETENSIM_NO_SCREEN"):
            return
        import lxml
        from Cython.Build import cythonize
        from setuptools import Distribution, Extension

        root = Path(self.root)
        extensions = [
            Extension("ketensim.standards.rules._screen", [SCREEN], include_dirs=lxml.get_include()),
            Extension("ketensim.chain._splitmix", [SPLITMIX], extra_compile_args=["-ffp-contract=off"]),
            Extension("ketensim.chain._agenda", [AGENDA]),
            Extension("ketensim.chain._columns", [COLUMNS], extra_compile_args=["-ffp-contract=off"]),
        ]
        previous = Path.cwd()
        os.chdir(root)  # setuptools and cythonize resolve the sources from the project root
        try:
            with tempfile.TemporaryDirectory(prefix="ketensim-build-") as scratch:
                modules = cythonize(extensions, language_level=3, quiet=True)
                command = Distribution({"ext_modules": modules}).get_command_obj("build_ext")
                command.inplace = True  # beside the .pyx: an editable install imports it from there
                command.build_temp = command.build_lib = scratch  # no build/ left in the project
                command.ensure_finalized()
                command.run()
        except Exception as exc:  # most often: no C compiler
            raise RuntimeError(
                f"ketensim: compiling its C extensions ({SCREEN}, {SPLITMIX}, {AGENDA}, {COLUMNS}) failed ({exc}). Is a C compiler with "
                "the Python headers installed? Or set KETENSIM_NO_COMPILE=1 to install without them (everything then "
                "runs in Python: the same results, more slowly)"
            ) from exc
        finally:
            os.chdir(previous)
        build_data["pure_python"] = False
        build_data["infer_tag"] = True
        for source in (SCREEN, SPLITMIX, AGENDA, COLUMNS):
            built = Path(source).with_suffix(sysconfig.get_config_var("EXT_SUFFIX"))
            if not (root / built).is_file():
                raise RuntimeError(f"ketensim: {source} was not compiled: {built} is missing")
            build_data["artifacts"].append(built.as_posix())
