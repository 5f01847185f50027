"""Kernels shipped as an aotpack archive inside this package."""
from pathlib import Path

import aotpack

ARCHIVE_PATH = Path(__file__).with_name("kernels.aotpack")


def archive():
    return aotpack.Archive(ARCHIVE_PATH)


def get_arch_list():
    """The GPU targets this wheel carries native code for (like torch.xpu.get_arch_list())."""
    return archive().get_arch_list()
