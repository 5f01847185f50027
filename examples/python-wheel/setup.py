"""Builds kernels/*.cl into example_kernels/kernels.aotpack before the package is assembled."""
import os
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildWithArchive(build_py):
    def run(self):
        here = Path(__file__).resolve().parent
        aotpack = os.environ.get("AOTPACK", shutil.which("aotpack") or "aotpack")
        devices = os.environ.get("AOTPACK_DEVICES", "ats-m150,pvc")
        archive = here / "example_kernels" / "kernels.aotpack"
        subprocess.run([aotpack, "build", "-q", "-d", devices, str(here / "kernels"), "-o", str(archive)], check=True)
        super().run()


setup(cmdclass={"build_py": BuildWithArchive})
