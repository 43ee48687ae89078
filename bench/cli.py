"""Command-line start-up benchmark (not a test): how long `rekindle` takes before it does anything.

Runs each command --rounds times, interleaved so a busier moment of the machine touches all of
them, and prints the median wall-clock time (`*_ms`) and the median CPU time the process used
(`*_cpu_ms`, user + system, which other work on the machine disturbs less):

- python: `python -c pass`, the interpreter alone
- click: `python -c "import click"`, the bare baseline
- help: `rekindle --help` (target: within 2x click)
- import: `python -c "import assessments"`
- validate: `rekindle validate FILE` for one bundled rule set (target: under 500 ms of CPU),
  then the same for each bundled rule set

    python bench/cli.py [--rounds 9] [--ruleset red-flags]
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "assessments" / "rules"


def timed(argv: list[str]) -> tuple[float, float]:
    """Run a command to its end; give (wall seconds, CPU seconds of the process)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr.decode()[-500:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=9)
    parser.add_argument("--ruleset", default="red-flags", help="the bundled rule set validate_ms is for")
    args = parser.parse_args()
    rekindle = str(Path(sys.executable).parent / "rekindle")
    commands = {
        "python": [sys.executable, "-c", "pass"],
        "click": [sys.executable, "-c", "import click"],
        "help": [rekindle, "--help"],
        "import": [sys.executable, "-c", "import assessments"],
        "validate": [rekindle, "validate", str(RULES / f"{args.ruleset}.yaml")],
    }
    for path in sorted(RULES.glob("*.yaml")):
        if not path.name.endswith(".scenarios.yaml"):
            commands[f"validate_{path.stem.replace('-', '_')}"] = [rekindle, "validate", str(path)]
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for argv in commands.values():
        timed(argv)  # once first, so the files are in the page cache for every round
    names = list(commands)
    for _ in range(args.rounds):
        random.shuffle(names)
        for name in names:
            wall, cpu = timed(commands[name])
            walls[name].append(wall)
            cpus[name].append(cpu)
    median = {name: statistics.median(values) * 1000 for name, values in walls.items()}
    cpu_median = {name: statistics.median(values) * 1000 for name, values in cpus.items()}
    print(f"rounds={args.rounds}")
    print(f"machine_load={os.getloadavg()[0]:.1f}")
    for name in commands:
        print(f"{name}_ms={median[name]:.0f}")
        print(f"{name}_cpu_ms={cpu_median[name]:.0f}")
    print(f"help_vs_click_ratio={median['help'] / median['click']:.2f}")
    print(f"help_vs_click_cpu_ratio={cpu_median['help'] / cpu_median['click']:.2f}")
    print(f"validate_ruleset={args.ruleset}")


if __name__ == "__main__":
    main()
