# SPDX-License-Identifier: MIT
"""A plugin that takes all the memory it can."""


def handle(request):
    hoard = []
    while True:
        hoard.append(bytearray(16 << 20))
