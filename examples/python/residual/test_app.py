# SPDX-License-Identifier: MIT
"""The same hidden dependency in a test suite: test_work passes only
because test_init ran first in the same process. Marked cleanroom, it runs
from scratch and fails, saying why.

    python3 -m pytest -p cleanroom.pytest_plugin test_app.py
"""
import pytest

import app


def test_init():
    app.init()


def test_work_in_process():
    assert app.work(0) == 42  # passes: test_init left the connection


@pytest.mark.cleanroom
def test_work_from_scratch():
    assert app.work(0) == 42  # fails: 'NoneType' object has no attribute 'execute'
