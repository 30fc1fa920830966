# SPDX-License-Identifier: MIT
"""Code with a hidden dependency on its parent: work() uses a connection
that only the parent process opened. Under fork every child inherits it
and the program "works"; started from scratch, the dependency shows.

    python3 app.py fork        # [42, 42, 42]
    python3 app.py cleanroom   # AttributeError: ... DB is None in the child
"""
import multiprocessing
import sqlite3
import sys

import cleanroom

DB = None


def init():
    global DB
    DB = sqlite3.connect(":memory:", check_same_thread=False)
    DB.execute("create table answers (x)")
    DB.execute("insert into answers values (42)")


def work(_):
    return DB.execute("select x from answers").fetchone()[0]


if __name__ == "__main__":
    method = sys.argv[1] if len(sys.argv) > 1 else "cleanroom"
    ctx = cleanroom.get_context() if method == "cleanroom" else multiprocessing.get_context(method)
    init()
    with ctx.Pool(2) as pool:
        print(pool.map(work, range(3)))
