#!/usr/bin/env python3
"""Replaces the generated blocks of docs/BENCHMARKS.md with the scenarios' fresh reports.

A generated block is everything between the lines
    <!-- generated:NAME -->
    <!-- /generated:NAME -->
and NAME's report is OUT/NAME/report.md. Only the named scenarios' blocks are replaced (those run
by this invocation of scripts/bench: OUT may hold older reports, a --quick run's among them);
the others, and a named one without a report, are kept.
Usage: bench/report.py BENCHMARKS.md OUT SCENARIO...
"""
import pathlib
import re
import sys

document, out, scenarios = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), set(sys.argv[3:])
block = re.compile(r"(<!-- generated:(?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- /generated:(?P=name) -->)", re.S)
replaced = []


def fresh(match):
    report = out / match["name"] / "report.md"
    if match["name"] not in scenarios or not report.is_file():
        return match[0]
    replaced.append(match["name"])
    return match[1] + report.read_text().rstrip("\n") + "\n" + match[4]


text = block.sub(fresh, document.read_text())
document.write_text(text)
print(f"{document}: regenerated {', '.join(replaced) or 'nothing'}")
