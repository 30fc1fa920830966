# SPDX-License-Identifier: MIT
"""A well-behaved plugin: answers at once."""


def handle(request):
    return {"plugin": "good", "answer": request["n"] * 2}
