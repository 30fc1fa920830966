# SPDX-License-Identifier: MIT
"""The multiprocessing program of issue 13: under fork the child inherits
the parent's open file; in a cleanroom context it starts from scratch.

    python3 mp_fork.py fork        # prints <_io.TextIOWrapper name='...mp_fork.py' ...>
    python3 mp_fork.py cleanroom   # prints None
"""
import sys
import multiprocessing

import cleanroom

f = None


def child():
    print(f)


if __name__ == "__main__":
    method = sys.argv[1] if len(sys.argv) > 1 else "cleanroom"
    ctx = cleanroom.get_context() if method == "cleanroom" else multiprocessing.get_context(method)
    f = open(__file__, "r")
    p = ctx.Process(target=child)
    p.start()
    p.join()
    sys.exit(p.exitcode)
