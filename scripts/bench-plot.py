#!/usr/bin/env python3
"""Plot `flotilla bench fleet -o json` results and print them as a markdown table.

Reads DIR/fleet-*.json (default docs/bench), writes DIR/fleet.png: convergence seconds and hub
resident memory against fleet size (log x), and prints a markdown table of every run, skipped
sizes with their reason. Cost per spoke is printed too, so linear-or-better growth shows.

    python3 scripts/bench-plot.py [DIR]
"""
import glob
import json
import os
import sys


def load(directory):
    runs = []
    for path in glob.glob(os.path.join(directory, "fleet-*.json")):
        with open(path) as f:
            text = f.read().strip()
        if not text:
            continue
        r = json.loads(text)
        r["_file"] = os.path.basename(path)
        runs.append(r)
    return sorted(runs, key=lambda r: r["spokes"])


def mib(b):
    return f"{b / 1048576:,.0f} MiB"


def table(runs):
    measured = [r for r in runs if not r.get("skipped")]
    lines = []
    if measured:
        m = measured[0]["machine"]
        lines.append(
            f"Machine: {m['cores']} cores ({m['cpu']}), {m['memoryBytes'] / 2**30:.1f} GiB, {m['kernel']}; "
            f"open-file limit {measured[0]['openFileLimit']}."
        )
        lines.append("")
    cols = [
        ("spokes", lambda r: f"{r['spokes']:,}"),
        ("simulator", lambda r: r["simulator"].split(" (")[0]),
        ("touched", lambda r: f"{r['touchedSpokes']:,}"),
        ("change → first publish", lambda r: f"{r['changeToFirstPublishSeconds']:.3f} s"),
        ("change → last publish", lambda r: f"{r['changeToLastPublishSeconds']:.3f} s"),
        ("convergence", lambda r: f"{r['convergenceSeconds']:.3f} s"),
        ("per touched spoke", lambda r: f"{1000 * r['convergenceSeconds'] / max(1, r['touchedSpokes']):.3f} ms"),
        ("fanoutRatio", lambda r: f"{r['fanoutRatio']:.2f}"),
        ("ingestRatio", lambda r: f"{r['ingestRatio']:.2f}"),
        ("bundle", lambda r: f"{r['bundleBytes']:,} B"),
        ("hub RSS before spokes", lambda r: mib(r["hubRSSBeforeFleetBytes"]) if "hubRSSBeforeFleetBytes" in r else "–"),
        ("hub RSS", lambda r: mib(r["hubRSSBytes"])),
        ("hub peak", lambda r: mib(r["hubPeakRSSBytes"])),
        ("broker RSS", lambda r: mib(r["brokerRSSBytes"])),
        ("sim RSS", lambda r: mib(r["simRSSBytes"])),
        ("reportsLost", lambda r: str(r["reportsLost"])),
        ("duplicatesAbsorbed", lambda r: str(r["duplicatesAbsorbed"])),
        ("storm: all back & converged", lambda r: f"{r['storm']['convergedSeconds']:.2f} s" if r.get("storm") else "–"),
        ("storm: broker peak / steady", lambda r: f"{r['storm']['brokerPeakRatio']:.2f}×" if r.get("storm") else "–"),
    ]
    lines.append("| " + " | ".join(c[0] for c in cols) + " |")
    lines.append("|" + "---|" * len(cols))
    for r in runs:
        if r.get("skipped"):
            lines.append(f"| {r['spokes']:,} | not run: {r['skipped']} |" + " |" * (len(cols) - 2))
        else:
            lines.append("| " + " | ".join(c[1](r) for c in cols) + " |")
    return "\n".join(lines)


def plot(runs, out):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    measured = [r for r in runs if not r.get("skipped")]
    if not measured:
        return False
    x = [r["spokes"] for r in measured]
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4.2))
    a.plot(x, [r["convergenceSeconds"] for r in measured], "o-", label="change → hub stored every applied report")
    a.plot(x, [r["changeToLastPublishSeconds"] for r in measured], "s--", label="change → last bundle published")
    storms = [r for r in measured if r.get("storm")]
    if storms:
        a.plot([r["spokes"] for r in storms], [r["storm"]["convergedSeconds"] for r in storms], "^:", label="broker kill → all back, converged")
    # Linear growth from the smallest run, for comparison: cost per spoke constant.
    if len(measured) > 1:
        base = measured[0]
        a.plot(x, [base["convergenceSeconds"] * n / base["spokes"] for n in x], color="grey", linestyle=(0, (1, 3)),
               label=f"linear in spokes from {base['spokes']:,}")
    a.set_xscale("log")
    a.set_xlabel("spokes")
    a.set_ylabel("seconds")
    a.set_title("Convergence")
    a.grid(True, which="both", alpha=0.3)
    a.legend(fontsize=8)
    b.plot(x, [r["hubRSSBytes"] / 1048576 for r in measured], "o-", label="hub VmRSS after the change")
    b.plot(x, [r["hubPeakRSSBytes"] / 1048576 for r in measured], "s--", label="hub VmHWM")
    b.plot(x, [r["brokerRSSBytes"] / 1048576 for r in measured], "^:", label="broker VmRSS")
    if len(measured) > 1:
        base = measured[0]
        b.plot(x, [base["hubRSSBytes"] / 1048576 * n / base["spokes"] for n in x], color="grey", linestyle=(0, (1, 3)),
               label=f"linear in spokes from {base['spokes']:,}")
    b.set_xscale("log")
    b.set_xlabel("spokes")
    b.set_ylabel("MiB")
    b.set_title("Memory")
    b.grid(True, which="both", alpha=0.3)
    b.legend(fontsize=8)
    skipped = [r for r in runs if r.get("skipped")]
    if skipped:
        fig.text(0.01, 0.01, "not run: " + ", ".join(f"{r['spokes']:,} spokes" for r in skipped) + " (open-file limit; see the table)", fontsize=7)
    fig.suptitle("flotilla bench fleet: a change touching every spoke, release build")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    return True


def main():
    directory = sys.argv[1] if len(sys.argv) > 1 else "docs/bench"
    runs = load(directory)
    if not runs:
        sys.exit(f"no fleet-*.json in {directory}")
    out = os.path.join(directory, "fleet.png")
    if plot(runs, out):
        print(f"wrote {out}", file=sys.stderr)
    print(table(runs))


if __name__ == "__main__":
    main()
