#!/usr/bin/env python3
"""Runs commands in turn, N rounds, and prints each one's median wall and CPU time and the median of its paired
differences against the first command: for A/B figures on a shared, noisy machine (README "Start-up").

  python3 bench/alternate.py 30 'ss -tanH' 'OLD/bin/sockscope analyze --port P --json' 'bin/sockscope analyze --port P --json'

Each command is fork/exec'd with stdout and stderr to /dev/null; CPU is user + system from wait4 (children
included). The order alternates every round, so drift on the machine falls on every command alike.
"""
import os
import shlex
import statistics as st
import sys
import time

if len(sys.argv) < 3 or not sys.argv[1].isdigit():
    sys.stderr.write(__doc__)
    sys.exit(2)
rounds = int(sys.argv[1])
commands = [shlex.split(c) for c in sys.argv[2:]]
wall = [[] for _ in commands]
cpu = [[] for _ in commands]
devnull = os.open('/dev/null', os.O_WRONLY)
for i in range(rounds):
    order = range(len(commands)) if i % 2 == 0 else reversed(range(len(commands)))
    for k in order:
        t = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            os.dup2(devnull, 1)
            os.dup2(devnull, 2)
            try:
                os.execvp(commands[k][0], commands[k])
            finally:
                os._exit(127)
        _, status, usage = os.wait4(pid, 0)
        wall[k].append((time.perf_counter() - t) * 1000)
        cpu[k].append((usage.ru_utime + usage.ru_stime) * 1000)
        if os.waitstatus_to_exitcode(status) != 0:
            sys.stderr.write(f"{' '.join(commands[k])}: exit {os.waitstatus_to_exitcode(status)}\n")
for k, c in enumerate(commands):
    dw = [x - y for x, y in zip(wall[k], wall[0])]
    dc = [x - y for x, y in zip(cpu[k], cpu[0])]
    print(f"{' '.join(c)}: wall median {st.median(wall[k]):.1f} ms, cpu {st.median(cpu[k]):.1f} ms; paired vs the first: wall {st.median(dw):+.1f}, cpu {st.median(dc):+.1f}")
