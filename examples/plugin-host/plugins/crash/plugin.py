# SPDX-License-Identifier: MIT
"""A plugin that crashes: its first request makes it read address 0 (SIGSEGV),
as a buggy C extension would."""
import ctypes
import socket

sock = socket.socket(fileno=3)
sock.makefile("r").readline()
ctypes.string_at(0)  # segmentation fault
