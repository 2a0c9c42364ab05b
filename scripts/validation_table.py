#!/usr/bin/env python3
"""Prints the table of docs/VALIDATION.md ("Errors against public measurements").

Runs `npusim validate --format json --split test` on every public table of validate/data/public/
with the GPU description it was measured on, and prints one Markdown row per GPU x source x
datatype x size band: count, the model's MAPE, P90 and Spearman rho, its bias, and the roofline's
MAPE. tests/validate/public_validation_test.cpp recomputes every row and fails when an error rises
above the figure printed here, so the table is regenerated (and reviewed) whenever the model changes:

  scripts/validation_table.py build/npusim > /tmp/table.md   # then paste between the markers
"""

import json
import subprocess
import sys

PCIE = "dram.bandwidth_gb_per_s=1935"  # the A100 80GB PCIe: the A100 SXM's figures but its HBM2e
# (GPU label, --arch, --set or "", table, dtype, --min-us)
CONFIGS = [
    ("H100 SXM", "h100_sxm", "", "xla/h100_sxm_gemm.csv", "bf16", 10),
    ("H100 SXM", "h100_sxm", "", "xla/h100_sxm_gemm.csv", "tf32", 10),
    ("H100 SXM", "h100_sxm", "", "neusight/h100_sxm_fp32_gemm.csv", "fp32", 1000),
    ("H100 SXM", "h100_sxm", "", "neusight/h100_sxm_fp32_ops.csv", "fp32", 100),
    ("H100 SXM", "h100_sxm", "", "mamf/h100_sxm_bf16.csv", "bf16", 0),
    ("H100 SXM", "h100_sxm", "", "fa3/h100_sxm_bf16_attention.csv", "bf16", 0),
    ("H200 (GH200)", "h200", "", "mamf/gh200_bf16.csv", "bf16", 0),
    ("A100 80GB PCIe", "a100_sxm", PCIE, "neusight/a100_pcie_80gb_fp32_gemm.csv", "fp32", 1000),
    ("A100 80GB PCIe", "a100_sxm", PCIE, "neusight/a100_pcie_80gb_fp32_ops.csv", "fp32", 100),
    ("A100 80GB PCIe", "a100_sxm", PCIE, "mamf/a100_pcie_bf16.csv", "bf16", 0),
]


def run(npusim, arch, sets, table, dtype, min_us):
    cmd = [npusim, "validate", "--arch", arch, "--measurements", f"validate/data/public/{table}", "--dtype", dtype,
           "--min-us", str(min_us), "--split", "test", "--format", "json", "--out", ""]
    if sets:
        cmd += ["--set", sets]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def fmt(v, digits=2):
    return "-" if v is None else f"{v:.{digits}f}"


def main(argv):
    npusim = argv[1] if len(argv) > 1 else "build/npusim"
    print("| GPU | --arch | table | dtype | min us | band | n | MAPE % | P90 % | rho | bias % | roofline MAPE % |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for gpu, arch, sets, table, dtype, min_us in CONFIGS:
        r = run(npusim, arch, sets, table, dtype, min_us)
        groups = [("all", r["overall"])]
        if len(r["bands"]) > 1:
            groups += sorted(r["bands"].items(), key=lambda kv: BAND_ORDER.index(kv[0]))
        for band, g in groups:
            n = g["count"]
            rho = fmt(g["spearman"], 3) if n >= 3 else "-"
            a = arch + (f" --set {sets}" if sets else "")
            print(f"| {gpu} | {a} | {table} | {dtype} | {min_us} | {band} | {n} | {fmt(g['mape_pct'])} | "
                  f"{fmt(g['p90_ape_pct'])} | {rho} | {g['bias_pct']:+.2f} | {fmt(g['roofline']['mape_pct'])} |")


BAND_ORDER = ["lt1GFLOP", "1to10GFLOP", "10to100GFLOP", "ge100GFLOP", "lt64MB", "64to512MB", "ge512MB"]

if __name__ == "__main__":
    sys.exit(main(sys.argv))
