# SPDX-License-Identifier: MIT
"""A plugin that crashes its interpreter (a segfault, as a buggy C extension would)."""
import ctypes


def handle(request):
    ctypes.string_at(0)  # reads address 0: SIGSEGV
