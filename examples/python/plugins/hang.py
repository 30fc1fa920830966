# SPDX-License-Identifier: MIT
"""A plugin that never answers."""


def handle(request):
    while True:
        pass
