"""Speed and memory benchmark (same as `qa bench`): prints figures and writes bench.json.

    python benchmarks/bench.py [--scale 100] [--quick] [--json bench.json]
"""
import sys

from qa.cli import main

if __name__ == "__main__":
    sys.exit(main(["bench", *sys.argv[1:]]))
