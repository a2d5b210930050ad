"""Builds libsmall_runtime.so with the project's CMake and ships it inside
the `small` package.

Environment:
  SMALL_CMAKE_TOOLCHAIN_FILE  a toolchain file (toolchains/*.cmake); default:
                              the host's compilers and best ISA
  SMALL_CMAKE_ARGS            more arguments for the CMake configure step
  SMALL_BUILD_JOBS            parallel build jobs (default: all CPUs)
"""

import os
import re
import shlex
import shutil
import subprocess

from setuptools import Distribution, setup
from setuptools.command.build_py import build_py

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.path.dirname(HERE)
LIBRARY = "libsmall_runtime.so"


def version():
    header = open(os.path.join(SOURCE, "include", "small", "small.h")).read()
    parts = [re.search(rf"#define SMALL_VERSION_{k} (\d+)", header).group(1)
             for k in ("MAJOR", "MINOR", "PATCH")]
    return ".".join(parts)


class BuildWithCMake(build_py):
    """build_py, plus the native library built by CMake (target
    small_runtime: the core and the importers that can be built here)."""

    def run(self):
        super().run()
        build_dir = os.path.join(HERE, "build", "cmake")
        configure = ["cmake", "-S", SOURCE, "-B", build_dir,
                     "-DCMAKE_BUILD_TYPE=Release", "-DSMALL_BUILD_TESTS=OFF",
                     "-DSMALL_BUILD_BENCHMARKS=OFF",
                     "-DSMALL_BUILD_EXAMPLES=OFF"]
        toolchain = os.environ.get("SMALL_CMAKE_TOOLCHAIN_FILE")
        if toolchain:
            configure.append(f"--toolchain={os.path.abspath(toolchain)}")
        configure += shlex.split(os.environ.get("SMALL_CMAKE_ARGS", ""))
        jobs = os.environ.get("SMALL_BUILD_JOBS", str(os.cpu_count() or 1))
        subprocess.run(configure, check=True)
        subprocess.run(["cmake", "--build", build_dir, "-j", jobs,
                        "--target", "small_runtime"], check=True)
        target = os.path.join(self.build_lib, "small")
        os.makedirs(target, exist_ok=True)
        shutil.copy2(os.path.join(build_dir, LIBRARY),
                     os.path.join(target, LIBRARY))


class NativeDistribution(Distribution):
    """The wheel carries a native library: tag it for this platform."""

    def has_ext_modules(self):
        return True


if not os.path.exists(os.path.join(SOURCE, "CMakeLists.txt")):
    raise SystemExit(f"setup.py: {SOURCE} is not the SMaLL source tree; "
                     "install from the repository's python/ folder")

setup(version=version(), cmdclass={"build_py": BuildWithCMake},
      distclass=NativeDistribution)
