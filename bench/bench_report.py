"""bench/bench.py's report: Markdown tables and the SVG bar chart, from the results JSON alone
(so a saved JSON can be re-rendered: `bench.py --report out/bench.json`)."""

import math

from bench_impls import IMPLS, LABELS

PEERS = [k for k in IMPLS if k != "ours"]


def fmt(value, digits=3):
    if value is None:
        return "—"
    if abs(value) >= 10 ** digits:
        return f"{value:.0f}"
    return f"{value:.{digits}g}"


def cell(entry, scale=1e3):
    """An implementation's median in ms, or why there is none."""
    if entry is None:
        return "—"
    if entry.get("median_s") is None:
        return entry.get("status", "failed")
    flag = " (mismatch)" if entry.get("status") == "mismatch" else ""
    return fmt(entry["median_s"] * scale) + flag


def best_peer(per_impl):
    """(key, seconds) of the fastest peer that has a time, or (None, None)."""
    timed = [(e["median_s"], k) for k, e in per_impl.items()
             if k != "ours" and e.get("median_s") is not None]
    if not timed:
        return None, None
    seconds, key = min(timed)
    return key, seconds


def ratio(ours, peer):
    if ours is None or peer is None or peer == 0:
        return None
    return ours / peer


def speed_table(results, threads):
    head = (["model"] + [f"{LABELS[k]} (ms)" for k in IMPLS] +
            [f"ours / {LABELS[k]}" for k in PEERS] + ["ours / best peer"])
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for m in results["models"]:
        per_impl = m.get("threads", {}).get(str(threads))
        if per_impl is None:
            continue
        ours = per_impl["ours"].get("median_s")
        key, best = best_peer(per_impl)
        row = [m["name"]] + [cell(per_impl.get(k)) for k in IMPLS]
        row += [fmt(ratio(ours, per_impl[k].get("median_s")), 2) for k in PEERS]
        row.append(f"{fmt(ratio(ours, best), 2)} ({LABELS[key]})" if key and ours else "—")
        lines.append("| " + " | ".join(row) + " |")
    return lines


def compile_table(results):
    threads = results["threads"]
    head = (["model", "aotic (s)", "aotic, cold kernel cache (s)"] +
            [f"AOTInductor, {t} thr. (s)" for t in threads] +
            [f"torch.compile first call, {t} thr. (s)" for t in threads] +
            ["ONNX export (s)", "exporter"])
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 2) + "---|"]
    for m in results["models"]:
        th = m.get("threads", {})
        ours = m["ours"]
        row = [m["name"]] + ([fmt(ours.get("compile_s")), fmt(ours.get("compile_cold_s"))]
                             if not ours.get("error") else ["failed", "failed"])
        row += [fmt(th.get(str(t), {}).get("aoti", {}).get("compile_s")) for t in threads]
        row += [fmt(th.get(str(t), {}).get("compile", {}).get("compile_s")) for t in threads]
        onnx = m.get("onnx", {})
        row += [fmt(onnx.get("export_s")), onnx.get("exporter") or "failed"]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def mb(nbytes):
    return None if nbytes is None else nbytes / 1e6


def cold_table(results):
    head = ["model", "threads", "ours cold (ms)", "of which ours load (ms)", "AOTInductor cold (ms)",
            "ORT cold (ms)",
            "ours peak RSS (MB)", "AOTInductor peak RSS (MB)", "ORT peak RSS (MB)",
            "our weights + arena (MB)", "ours .pt2 (MB)", "AOTInductor .pt2 (MB)", ".onnx (MB)"]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for m in results["models"]:
        cold = m.get("cold") or {}
        ours = m["ours"]

        def ms(k):
            return fmt(cold[k]["median_s"] * 1e3) if cold.get(k, {}).get("median_s") else "—"

        def rss(k):
            return fmt(cold[k]["maxrss_kb"] / 1e3) if cold.get(k, {}).get("maxrss_kb") else "—"

        weights = (f"{fmt(mb(ours['weights_bytes']))} + {fmt(mb(ours['arena_bytes']))}"
                   if ours.get("weights_bytes") is not None else "—")
        load = fmt(cold["ours"]["load_ms"]) if cold.get("ours", {}).get("load_ms") else "—"
        row = [m["name"], str(cold.get("threads", "—")), ms("ours"), load, ms("aoti"), ms("ort"),
               rss("ours"), rss("aoti"), rss("ort"), weights, fmt(mb(ours.get("package_bytes"))),
               fmt(mb(m.get("aoti_package_bytes"))), fmt(mb(m.get("onnx", {}).get("bytes")))]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def peak_table(results):
    threads = results["threads"]
    head = ["model", "GFLOP"]
    for t in threads:
        head += [f"ours GFLOP/s, {t} thr.", f"ours % of peak, {t} thr.",
                 f"best peer % of peak, {t} thr."]
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for m in results["models"]:
        if not m.get("heavy") or not m.get("flops"):
            continue
        row = [m["name"], fmt(m["flops"] / 1e9)]
        for t in threads:
            per_impl = m.get("threads", {}).get(str(t), {})
            peak = results["peak_gflops"].get(str(t))
            ours = per_impl.get("ours", {}).get("median_s")
            _, best = best_peer(per_impl) if per_impl else (None, None)
            rate = m["flops"] / ours / 1e9 if ours else None
            row += [fmt(rate), fmt(100 * rate / peak, 2) if rate and peak else "—",
                    fmt(100 * m["flops"] / best / 1e9 / peak, 2) if best and peak else "—"]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def failures(results):
    """One line per error the run recorded: the bench's own, aotic's, the exporters', and every
    implementation that failed or did not match at some thread count."""
    lines = []
    for m in results["models"]:
        found = [("bench", m.get("error")), ("aotic", m.get("ours", {}).get("error")),
                 ("ONNX export (dynamo)", m.get("onnx", {}).get("dynamo_error")),
                 ("ONNX export", m.get("onnx", {}).get("error"))]
        for t, per_impl in m.get("threads", {}).items():
            found += [(f"{LABELS[k]}, {t} thr.", e.get("error")) for k, e in per_impl.items()]
        lines += [f"- {m['name']}, {where}: `{error.replace('`', '')}`" for where, error in found
                  if error and error != "bench error"]
    return lines


def markdown(results):
    out = []
    for t in results["threads"]:
        out += [f"### {t} thread{'s' if t > 1 else ''}: median time per call", ""]
        out += speed_table(results, t) + [""]
    out += ["### Compile time (same `.ep`)", ""] + compile_table(results) + [""]
    targets = sorted({m["ours"]["target"] for m in results["models"] if m["ours"].get("target")})
    if targets:
        out += [f"aotic built the models for: {', '.join(targets)} (package metadata `target`; "
                f"aotic options: `{results.get('aotic_args') or 'none'}`).", ""]
    out += ["### Cold start, peak memory, package sizes", ""] + cold_table(results) + [""]
    base = results.get("baselines", {})
    if base:
        out += ["Baselines (fresh process, nothing else): " + "; ".join(
            f"`{b['what']}` {fmt(b['median_s'] * 1e3)} ms, {fmt(b['maxrss_kb'] / 1e3)} MB"
            for b in base.values() if b.get("median_s")) + ".", ""]
    out += ["### Fraction of peak FP32 rate (conv/matmul-heavy models)", ""]
    peak = results["peak_flops"]
    out += [f"Peak: `bench/peak_flops` ({peak.get('isa')}): " + ", ".join(
        f"{r['threads']} thread{'s' if r['threads'] > 1 else ''} {fmt(r['gflops'])} GFLOP/s "
        "measured" for r in peak.get("results", [])) +
        "; the peak used for T threads is T × the 1-thread rate (the cores are alike; the "
        "2-thread measurement is low whenever anything else runs)." , ""]
    out += peak_table(results) + [""]
    failed = failures(results)
    if failed:
        out += ["### Failures", ""] + failed + [""]
    return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# SVG: per model, ours / best peer at each thread count, log scale, a line at 1
# ---------------------------------------------------------------------------------------------

BAR_COLORS = ["#4e79a7", "#f28e2b", "#59a14f", "#e15759"]


def svg_chart(results):
    threads = results["threads"]
    bars = []  # (model, [(threads, ratio or None)])
    for m in results["models"]:
        row = []
        for t in threads:
            per_impl = m.get("threads", {}).get(str(t))
            ours = per_impl["ours"].get("median_s") if per_impl else None
            _, best = best_peer(per_impl) if per_impl else (None, None)
            row.append((t, ratio(ours, best)))
        bars.append((m["name"], row))
    values = [r for _, row in bars for _, r in row if r]
    lo = math.floor(math.log10(min(values + [0.5])))
    hi = math.ceil(math.log10(max(values + [2.0])))
    width, height, left, right, top, bottom = 900, 420, 70, 20, 40, 110
    plot_w, plot_h = width - left - right, height - top - bottom

    def y(v):
        return top + plot_h * (hi - math.log10(v)) / (hi - lo)

    group_w = plot_w / max(1, len(bars))
    bar_w = group_w * 0.7 / len(threads)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">AOTI time / best '
           f'peer time (log scale; below 1: AOTI faster)</text>']
    for e in range(lo, hi + 1):
        yy = y(10 ** e)
        out.append(f'<line x1="{left}" y1="{yy:.1f}" x2="{width - right}" y2="{yy:.1f}" '
                   'stroke="#ddd"/>')
        out.append(f'<text x="{left - 6}" y="{yy + 4:.1f}" text-anchor="end">{10 ** e:g}</text>')
    for g, (name, row) in enumerate(bars):
        x0 = left + g * group_w + group_w * 0.15
        for i, (t, r) in enumerate(row):
            x = x0 + i * bar_w
            if r is None:
                out.append(f'<text x="{x + bar_w / 2:.1f}" y="{y(1) - 4:.1f}" '
                           'text-anchor="middle" fill="#999">n/a</text>')
                continue
            y1, y0 = sorted((y(r), y(1)))
            out.append(f'<rect x="{x:.1f}" y="{y1:.1f}" width="{bar_w - 2:.1f}" '
                       f'height="{max(1.0, y0 - y1):.1f}" fill="{BAR_COLORS[i % 4]}">'
                       f'<title>{name}, {t} thread(s): {r:.3g}</title></rect>')
            label_y = y(r) - 4 if r >= 1 else y(r) + 12
            out.append(f'<text x="{x + bar_w / 2:.1f}" y="{label_y:.1f}" text-anchor="middle" '
                       f'font-size="10">{r:.2g}</text>')
        cx = left + g * group_w + group_w / 2
        out.append(f'<text x="{cx:.1f}" y="{top + plot_h + 14}" text-anchor="end" '
                   f'transform="rotate(-35 {cx:.1f} {top + plot_h + 14})">{name}</text>')
    out.append(f'<line x1="{left}" y1="{y(1):.1f}" x2="{width - right}" y2="{y(1):.1f}" '
               'stroke="black" stroke-width="1.5"/>')
    for i, t in enumerate(threads):
        lx = left + 10 + i * 110
        out.append(f'<rect x="{lx}" y="{height - 22}" width="12" height="12" '
                   f'fill="{BAR_COLORS[i % 4]}"/>')
        out.append(f'<text x="{lx + 16}" y="{height - 12}">{t} thread{"s" if t > 1 else ""}'
                   '</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
