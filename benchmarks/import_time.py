"""How much `import glassbox` costs on top of `import numpy, scipy.linalg` (budget: 0.15 s).

    python benchmarks/import_time.py [--repeats 15]

Each measurement is a fresh interpreter (so nothing is cached in-process), timed with
perf_counter around the import statement only; medians are compared.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys

HEAVY = ("torch", "sklearn", "dask", "pandas", "matplotlib", "statsmodels")
PROBE = """
import time, sys
start = time.perf_counter()
{statement}
elapsed = time.perf_counter() - start
print(elapsed, ",".join(m for m in {heavy!r} if m in sys.modules))
"""


def measure(statement: str, repeats: int) -> tuple[float, str]:
    times, loaded = [], ""
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", PROBE.format(statement=statement, heavy=HEAVY)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        times.append(float(out[0]))
        loaded = out[1] if len(out) > 1 else ""
    return statistics.median(times), loaded


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    base, _ = measure("import numpy, scipy.linalg", args.repeats)
    full, heavy = measure("import numpy, scipy.linalg; import glassbox", args.repeats)
    extra = full - base
    print(f"import numpy, scipy.linalg          {base * 1e3:7.1f} ms (median of {args.repeats})")
    print(f"... then import glassbox            {full * 1e3:7.1f} ms")
    print(
        f"glassbox's own cost                 {extra * 1e3:7.1f} ms (budget 150 ms): "
        f"{'OK' if extra <= 0.15 else 'OVER BUDGET'}"
    )
    print(f"heavy engines imported with glassbox: {heavy or 'none'}")


if __name__ == "__main__":
    main()
