"""What users do today, for the benchmark: read every workbook with pandas, all sheets,
no extraction at all (so the comparison flatters pandas).

usage: python3 scripts/bench_pandas.py DIR ENGINE   (ENGINE: openpyxl or calamine)
"""
import pathlib
import sys
import time

import pandas as pd

root, engine = pathlib.Path(sys.argv[1]), sys.argv[2]
files = sorted(p for p in root.rglob("*") if p.suffix.lower() in {".xlsx", ".xlsm", ".xls", ".ods"})
t = time.perf_counter()
cells = 0
for p in files:
    for df in pd.read_excel(p, sheet_name=None, header=None, engine=engine).values():
        cells += int(df.count().sum())
print(f"pandas+{engine}: {len(files)} files, {cells} non-empty cells in {time.perf_counter() - t:.2f}s", file=sys.stderr)
