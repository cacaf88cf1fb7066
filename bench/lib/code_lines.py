#!/usr/bin/env python3
"""Distinct 64-byte lines of machine code a request executes, from a callgrind profile.

    code_lines.py CALLGRIND_OUT REQUESTS [--by-object]

The profile must be written with --dump-instr=yes --compress-pos=no --compress-strings=no
(bench/instructions.sh does). A line counts when some instruction in it ran on at least half of
the REQUESTS, i.e. on the path every request takes, not a rare one. Where requests arrive one at a
time and other processes run in between (a gateway at low load), this path's code is fetched
again for each request, so it costs time in proportion to these lines more than to the
instructions (docs/performance.md, session 20). Prints the total, or one line per object file
(the gateway binary, libnode, JIT code as "???", ...) with --by-object.
"""
import collections
import sys


def lines_by_object(path, requests):
    lines = collections.defaultdict(set)
    obj = "?"
    after_calls = False  # the cost line after "calls=" is the callee's inclusive cost: not ours
    with open(path, errors="replace") as f:
        for text in f:
            if text.startswith("ob="):
                obj = text[3:].strip().rsplit("/", 1)[-1] or "?"
            elif text.startswith("calls="):
                after_calls = True
            elif text.startswith("0x"):
                if after_calls:
                    after_calls = False
                    continue
                fields = text.split()  # address, source line, instructions
                if len(fields) >= 3 and int(fields[2]) * 2 >= requests:
                    lines[obj].add(int(fields[0], 16) >> 6)
            else:
                after_calls = False
    return lines


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: code_lines.py CALLGRIND_OUT REQUESTS [--by-object]")
    lines = lines_by_object(sys.argv[1], int(sys.argv[2]))
    if "--by-object" in sys.argv[3:]:
        for obj, seen in sorted(lines.items(), key=lambda item: -len(item[1])):
            print(f"{len(seen)} {obj}")
    else:
        print(sum(len(seen) for seen in lines.values()))


if __name__ == "__main__":
    main()
