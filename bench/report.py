#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write Documentation/benchmarks.rst, its plots and .dat files from bench/results/.

make bench runs it after its runs; it also runs alone (bench/README). The prose
is bench/benchmarks.rst.in, a string.Template: ${pages} etc. are the parameters
of the runs, ${touch} ${boot} ${zero} ${reclaim} ${pod} ${span} the tables of every kernel with
results. bench/findings.rst is appended. Medians are kept as %g strings.
"""
import argparse
import os
import re
import subprocess
import sys
from collections import Counter
from string import Template

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PARTS = ('touch', 'boot', 'zero', 'reclaim', 'pod', 'span')
INT, NUM, WORD = r'[0-9]+', r'-?[0-9]+(?:\.[0-9]+)?', r'[a-z][a-z0-9-]*'
LINES = {  # what each part's script prints (see the top of each)
    'touch': [rf'{WORD} {INT} {NUM}'],
    'boot': [rf'boot {WORD} {INT} {NUM}', rf'faults {INT} {INT} {INT}', rf'died {WORD} {INT}'],
    'zero': [rf'(zero|cpu)-[a-z]+ {INT} {INT} {NUM}'],
    'reclaim': [rf'freed {INT} {INT} {INT}', rf'reclaim {INT} {NUM} {NUM}', rf'deleted {INT} {NUM}',
                rf'object {INT} {INT} {INT}', rf'died {INT}( .*)?'],
    'pod': [rf'pod-grant (dormant|data) {INT} {INT} {INT}', rf'pod-rtt {INT} {INT} {INT}',
            rf'pod-boot (remote|local) {INT} {NUM}'],
    'span': [rf'span-move {WORD} {INT} {INT} -?{INT} -?{INT} -?{INT}',
             rf'span-slow {WORD} {INT} {INT} (before|after) {INT} {INT}',
             rf'span-pages {INT} {INT}' + rf' -?{INT}' * 6, rf'span-left {INT} {INT} -?{INT} -?{INT}',
             rf'died {WORD} {INT} {INT} .*'],
}
SPAN_MODES = ('pod', 'device', 'precopy', 'postcopy')
PARAMS = {  # option: environment variable, tools/bench.sh's default
    'pages': ('BENCH_PAGES', '16384'), 'repeat': ('BENCH_REPEAT', '5'),
    'sizes': ('BENCH_SIZES', '1 4 16'), 'boot-repeat': ('BENCH_BOOT_REPEAT', '3'),
    'zero-mib': ('BENCH_ZERO_MIB', '1024'), 'free-mib': ('BENCH_FREE_MIB', '512'),
    'reclaim-wait': ('BENCH_RECLAIM_WAIT', '60'), 'reclaim-repeat': ('BENCH_RECLAIM_REPEAT', '3'),
    'span-sizes': ('BENCH_SPAN_SIZES', '1 4 16'), 'span-repeat': ('BENCH_REPEAT', '3'),
}
BOOT_MODES = ('dormant', 'anon', 'prealloc')
EXTRA_BOOT_MODES = ('anon-4k', 'hugetlb', 'hugetlb-prealloc')


class Refuse(Exception):
    """Bad input: the message goes out, status 2, nothing written."""


def stats(vals):
    """Median, min, max (as awk's %g strings) and count; None if no vals."""
    v = sorted(float(x) for x in vals)
    if not v:
        return None
    n = len(v)
    med = v[n // 2] if n % 2 else (v[n // 2 - 1] + v[n // 2]) / 2
    return '%g' % med, '%g' % v[0], '%g' % v[-1], n


def fmt(s, prec):
    """'%.{prec}f' of the number string s."""
    return '%.*f' % (prec, float(s))


def span(s):
    """'median (min-max)' to one decimal, n/a for no figures."""
    return '%s (%s-%s)' % tuple(fmt(x, 1) for x in s[:3]) if s else 'n/a'


def div(a, b, width):
    """a / b of two %g strings in width columns, n/a where one is missing."""
    return '%*.2f' % (width, float(a) / float(b)) if a and b and float(b) else '%*s' % (width, 'n/a')


def med(s):
    """The median string of a stats() result, or None."""
    return s[0] if s else None


def rule(*widths):
    """An RST simple-table rule with columns of these widths."""
    return '  '.join('=' * w for w in widths)


def chart(a, part, k, dat, png, title, settings, plot):
    """Writes bench/results/PART-K.dat and plots it (gnuplot) as PNG-K.png; its image line."""
    dat_file = f'{a.results}/{part}-{k}.dat'
    with open(dat_file, 'w') as f:
        f.write(''.join(line + '\n' for line in dat))
    if not dat:
        return []
    script = (f'set terminal png size 800,450\nset output "{a.doc}/{png}-{k}.png"\nset title "{title}"\n'
              f'{settings}plot "{dat_file}" {plot}\n')
    try:
        subprocess.run(['gnuplot'], input=script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f'report.py: gnuplot failed: {e}', file=sys.stderr)
    return [f'.. image:: {png}-{k}.png', '']


def touch_table(k, rows, a):
    """First touch: ns per page by kind of memory, ratio to anon; bar chart."""
    def of(m):
        return stats(f[2] for f in rows if f[0] == m)
    anon = med(of('anon'))
    n = next((f[1] for f in rows if f[0] == 'anon'), '')
    r = rule(14, 10, 17, 13, 5)
    out = [f'Kernel {k}, {n} pages per run (ns per 4 KiB page):', '', r,
           'memory          median ns   spread (min-max)   ratio to anon  runs', r]
    dat = []
    for m in ('dormant-zeroed', 'dormant-inline', 'anon', 'anon-nohook', 'hugetlb', 'prealloc'):
        s = of(m)
        if not s:
            out.append('%-14s  %10s  %17s  %13s  %5s' % (m, 'n/a', 'n/a', 'n/a', 0))
            continue
        ratio = fmt(float(s[0]) / float(anon), 2) if anon and float(anon) else 'n/a'
        out.append('%-14s  %10s  %17s  %13s  %5s' % (m, s[0], f'{s[1]}-{s[2]}', ratio, s[3]))
        dat.append(f'{len(dat)} {m} {s[0]} {s[1]} {s[2]}')
    return out + [r, ''] + chart(
        a, 'touch', k, dat, 'first-touch', f'First touch of a guest page, {k} (median, min-max)',
        'set ylabel "ns per 4 KiB page"\nset style fill solid 0.6\nset boxwidth 0.6\n'
        'set yrange [0:*]\nset xtics rotate by -20\n',
        'using 1:3:xtic(2) with boxes notitle, "" using 1:3:4:5 with yerrorbars notitle lc rgb "black"'
    ) + touch_2m_table(k, of)


def touch_2m_table(k, of):
    """First touch of a 2 MiB page: dormant against hugetlbfs and THP."""
    modes = [m for m in ('dormant-2m', 'hugetlb-2m', 'thp-2m') if of(m)]
    if not modes:
        return []
    base = med(of('hugetlb-2m'))
    r = rule(14, 10, 17, 18, 5)
    out = [f'Kernel {k}, 2 MiB pages (us per 2 MiB page):', '', r,
           '%-14s  %10s  %-17s  %18s  %5s' % ('memory', 'median us', 'spread (min-max)',
                                               'ratio to hugetlb', 'runs'), r]
    for m in modes:
        s = [fmt(float(x) / 1000, 1) for x in of(m)[:3]]
        ratio = div(of(m)[0], base, 18) if base else '%18s' % 'n/a'
        out.append('%-14s  %10s  %17s  %s  %5s' % (m, s[0], f'{s[1]}-{s[2]}', ratio, of(m)[3]))
    return out + [r, '']


def boot_table(k, rows, a):
    """Boot time by RAM size and mode, growth per GiB, deaths, fault shares; plot."""
    boots = [f for f in rows if f[0] == 'boot']
    gs = sorted({int(f[2]) for f in boots})
    n = Counter((int(f[2]), f[1]) for f in boots)
    each = sorted((g, f'{g} GiB {m} {c}') for (g, m), c in n.items())
    each = f'{n.most_common(1)[0][1]} each' if len(set(n.values())) == 1 else ', '.join(e for _, e in each)
    cell = {(m, g): stats(f[3] for f in boots if f[1] == m and int(f[2]) == g)
            for m in BOOT_MODES + EXTRA_BOOT_MODES for g in gs}
    thp = any(f[1] == 'anon-4k' for f in boots)
    huge = any(f[1].startswith('hugetlb') for f in boots)
    r = rule(5, 23, 23, 23, 16, 12)
    out = [f"Kernel {k}, seconds from QEMU's start to the guest's /init, median (min-max); "
           f'boots per size and mode: {each}:', '', r,
           'RAM    dormant                  anon (default)           -mem-prealloc            '
           'prealloc/dormant  anon/dormant', r]
    dat = []
    for g in gs:
        d, an, p = (med(cell[m, g]) for m in BOOT_MODES)
        out.append('%-5s' % f'{g}G' + ''.join('  %-23s' % span(cell[m, g]) for m in BOOT_MODES)
                   + '  ' + div(p, d, 16) + '  ' + div(an, d, 12))
        dat.append(' '.join([str(g)] + [x for m in BOOT_MODES + EXTRA_BOOT_MODES
                                        for x in (cell[m, g] or ('NaN',) * 3)[:3]]))
    out += [r, ''] + (thp_table(gs, n, cell) if thp else []) + (hugetlb_table(gs, n, cell) if huge else [])
    if len(gs) > 1:
        g1, g2 = gs[0], gs[-1]

        def grow(m):  # median seconds per added GiB
            m1, m2 = med(cell[m, g1]), med(cell[m, g2])
            return '%.2f' % ((float(m2) - float(m1)) / (g2 - g1)) if m1 and m2 else 'n/a'
        names = [('dormant', 'dormant'), ('anon', 'anon'), ('-mem-prealloc', 'prealloc')]
        grown = ', '.join(f'{name} {grow(m)}' for name, m in names + [('anon-4k', 'anon-4k')] * thp)
        out += [f'Growth from {g1} GiB to {g2} GiB (median seconds per added GiB): {grown}.', '']
    died = ', '.join(f'{f[1]} {f[2]} GiB' for f in rows if f[0] == 'died')
    if died:
        out += ['Guests that died before their /init and were booted once more (the',
                f'figures above are of the second boot; see testing.rst): {died}.', '']
    else:
        out += ['No guest died before its /init in these boots.', '']
    out += faults_table(gs, rows)
    lines = ['using 1:2:3:4 with yerrorlines title "dormant"',
             '"" using 1:5:6:7 with yerrorlines title "anon (default)"',
             '"" using 1:8:9:10 with yerrorlines title "-mem-prealloc"']
    lines += ['"" using 1:11:12:13 with yerrorlines title "anon-4k (THP off)"'] * thp
    lines += ['"" using 1:14:15:16 with yerrorlines title "hugetlbfs"',
              '"" using 1:17:18:19 with yerrorlines title "hugetlbfs, prealloc=on"'] * huge
    return out + chart(a, 'boot', k, dat, 'boot-time',
                       f'Boot to /init of a stock QEMU/KVM guest, {k} (median, min-max)',
                       'set xlabel "guest RAM (GiB)"\nset ylabel "seconds"\nset key top left\n'
                       'set yrange [0:*]\nset xrange [0:*]\n', ', \\\n     '.join(lines))


def thp_table(gs, n, cell):
    """The anon-4k boots (THP off) against dormant and anon (awk's rounding)."""
    r = rule(5, 23, 15, 12)
    out = ['The same boots on anonymous memory with transparent huge pages off',
           '(**anon-4k**, ``BENCH_BOOT_MODES`` below): 4 KiB faults only.',
           'Boots per size: %s.' % ', '.join(
               f'{g} GiB {c}' for (g, m), c in sorted(n.items()) if m == 'anon-4k'),
           '', r, 'RAM    anon-4k (THP off)        anon-4k/dormant  anon-4k/anon', r]
    for g in gs:
        t = med(cell['anon-4k', g])
        out.append('%-5s  %-23s  %s  %s' % (f'{g}G', span(cell['anon-4k', g]),
                                            div(t, med(cell['dormant', g]), 15), div(t, med(cell['anon', g]), 12)))
    return out + [r, '']


def hugetlb_table(gs, n, cell):
    """The hugetlbfs boots, on demand and preallocated, against dormant."""
    r = rule(5, 23, 23, 16, 16)
    out = ['The same boots on hugetlbfs 2 MiB pages (pool reserved beforehand): faulted',
           'on demand (**hugetlb**) and with ``prealloc=on`` (**hugetlb-prealloc**). Boots per',
           'size: %s.' % ', '.join(f'{g} GiB {m} {c}' for (g, m), c in sorted(n.items())
                                 if m.startswith('hugetlb')),
           '', r, '%-5s  %-23s  %-23s  %-16s  %-16s' % (
               'RAM', 'hugetlb', 'hugetlb-prealloc', 'hugetlb/dormant', 'h-prealloc/dorm'), r]
    for g in gs:
        d = med(cell['dormant', g])
        out.append('%-5s  %-23s  %-23s  %s  %s' % (
            f'{g}G', span(cell['hugetlb', g]), span(cell['hugetlb-prealloc', g]),
            div(med(cell['hugetlb', g]), d, 16), div(med(cell['hugetlb-prealloc', g]), d, 16)))
    return out + [r, '']


def faults_table(gs, rows):
    """Faults of the dormant boots: zeroed in the background or inline."""
    r = rule(5, 10, 22, 18)
    out = ['Faults of the dormant boots on the pools: how many took a page the',
           'zeroing threads had zeroed in the background, and how many had to zero',
           'one inline (median per boot):', '', r,
           '%-5s  %-10s  %-22s  %-18s' % ('RAM', 'faults', 'zeroed in background', 'zeroed inline'), r]
    for g in gs:
        fz = sorted((int(f[2]), f'{f[2]} {f[3]}', int(f[3])) for f in rows if f[0] == 'faults' and int(f[1]) == g)
        fa, _, z = fz[(len(fz) + 1) // 2 - 1] if fz else (0, '', 0)  # the lower median, as the awk had it
        out.append('%-5s  %10d  %12d (%5.1f %%)  %8d (%5.1f %%)' % (
            f'{g}G', fa, fa - z, 100 * (fa - z) / fa if fa else 0, z, 100 * z / fa if fa else 0))
    return out + [r, '']


def zero_table(k, rows, a):
    """Zeroing throughput per node, thread alone and all at once, against one CPU."""
    f = 4096 * 1e9 / 1048576  # ns per page -> MiB/s
    r = rule(4, 19, 19, 19, 19, 19, 11, 11)
    out = [f'Kernel {k}, {rows[0][2]} pages per run; MiB/s from the median ns per page '
           '(min-max of the runs in MiB/s):', '', r,
           'node  thread alone         thread, all nodes    CPU memset           CPU rep stosb        '
           'CPU movnt            alone/stosb  alone/best', r]
    for node in sorted({int(x[1]) for x in rows}):
        s = {m: stats(x[3] for x in rows if x[0] == m and int(x[1]) == node)
             for m in ('zero-alone', 'zero-all', 'cpu-memset', 'cpu-stosb', 'cpu-movnt')}
        row = '%-4s' % node + ''.join('  %-19s' % ('%.0f (%.0f-%.0f)' % (f / float(v[0]), f / float(v[2]),
                                                                         f / float(v[1])) if v else 'n/a')
                                      for v in s.values())
        alone, stosb = med(s['zero-alone']), med(s['cpu-stosb'])
        cpu = [float(med(v)) for m, v in s.items() if v and m.startswith('cpu-')]
        best = '%g' % min(cpu) if stosb else None  # the awk's best starts from stosb
        out.append(row + '  ' + div(stosb, alone, 11) + '  ' + div(best, alone, 10))
    return out + [r, '']


def pod_table(k, rows, a):
    """A page moved through the pod against the raw RDMA round trip between the same hosts."""
    s = {'dormant': stats(x[3] for x in rows if x[:2] == ['pod-grant', 'dormant']),
         'data': stats(x[3] for x in rows if x[:2] == ['pod-grant', 'data']),
         '8': stats(x[3] for x in rows if x[:2] == ['pod-rtt', '8']),
         '4096': stats(x[3] for x in rows if x[:2] == ['pod-rtt', '4096'])}

    def us(v):
        return '%.0f (%.0f-%.0f)' % (float(v[0]) / 1e3, float(v[1]) / 1e3, float(v[2]) / 1e3) if v else 'n/a'
    r = rule(34, 19, 34, 19, 7)
    return [f'Kernel {k}, runs: {len({x[2] for x in rows})}; microseconds, median of the runs\' medians '
            '(min-max):', '', r,
            '%-34s  %-19s  %-34s  %-19s  %7s' % ('move', 'us', 'raw RDMA round trip', 'us', 'ratio'), r,
            '%-34s  %-19s  %-34s  %-19s  %s' % ('dormant grant (ownership alone)', us(s['dormant']),
                                                 'ibv_rc_pingpong, 8 bytes', us(s['8']),
                                                 div(med(s['dormant']), med(s['8']), 7)),
            '%-34s  %-19s  %-34s  %-19s  %s' % ('data grant (4 KiB of data)', us(s['data']),
                                                 'ibv_rc_pingpong, 4 KiB', us(s['4096']),
                                                 div(med(s['data']), med(s['4096']), 7)),
            r, ''] + pod_boot_table(rows)


def pod_boot_table(rows):
    """A guest booting on host b with its memory owned by host a, against all local."""
    s = {kind: stats(x[3] for x in rows if x[:2] == ['pod-boot', kind]) for kind in ('remote', 'local')}
    if not s['remote'] and not s['local']:
        return []
    r = rule(40, 22, 9)
    return ['Seconds to the guest\'s /init on host b, median (min-max) of %d boots each, taken in turns:'
            % max(x[3] for x in s.values() if x), '', r,
            '%-40s  %-22s  %9s' % ('guest memory', 's', 'ratio'), r,
            '%-40s  %-22s  %9s' % ('owned by host a (every page moves)', span(s['remote']),
                                  div(med(s['remote']), med(s['local']), 9)),
            '%-40s  %-22s  %9s' % ('owned by host b (local)', span(s['local']), '1.00'),
            r, '']


def span_table(k, rows, a):
    """A guest's move with the pod against QEMU's own migrations: times, bytes, ratios, slowdown."""
    moves = [x for x in rows if x[0] == 'span-move']
    gs = sorted({int(x[2]) for x in moves} | {int(x[1]) for x in rows if x[0] in ('span-pages', 'span-left')})
    modes = [m for m in SPAN_MODES if any(x[1] == m for x in moves)]

    def of(m, g, i):  # stats of field i of the span-move lines of mode m, size g
        return stats(x[i] for x in moves if x[1] == m and int(x[2]) == g and float(x[i]) >= 0)

    def n_of(m, g):
        return len([x for x in moves if x[1] == m and int(x[2]) == g])

    def whole(v, unit=1):
        return '%.0f (%.0f-%.0f)' % tuple(float(x) / unit for x in v[:3]) if v else 'n/a'
    r = rule(5, 8, 24, 24, 26, 4)
    out = [f'Kernel {k}; median (min-max) of the runs; stream: the migration stream in KiB:',
           '', r, '%-5s  %-8s  %-24s  %-24s  %-26s  %4s' % ('RAM', 'mode', 'total ms', 'downtime ms',
                                                           'stream KiB', 'runs'), r]
    for g in gs:
        for m in modes:
            if n_of(m, g):
                out.append('%-5s  %-8s  %-24s  %-24s  %-26s  %4d' % (
                    f'{g}G', m, whole(of(m, g, 4)), whole(of(m, g, 5)), whole(of(m, g, 6), 1024), n_of(m, g)))
    out += [r, '']
    # the ratios, each with its goal
    ratios = []
    pod = [g for g in gs if n_of('pod', g)]
    if len(pod) > 1:
        g1, g2 = pod[0], pod[-1]
        ratios.append((f'pod move total time, {g2} GiB over {g1} GiB',
                       div(med(of('pod', g2, 4)), med(of('pod', g1, 4)), 1), '<= 1.2'))
    for g in pod:
        if n_of('device', g):
            ratios.append((f'pod move downtime over device-only downtime, {g} GiB',
                           div(med(of('pod', g, 5)), med(of('device', g, 5)), 1), '<= 1.2'))
    pages = {(x[1], x[2]): x for x in rows if x[0] == 'span-pages'}
    left = {(x[1], x[2]): x for x in rows if x[0] == 'span-left'}
    for g in pod:
        v = stats(int(p[3]) / (4096 * int(p[8])) for key, p in pages.items() if int(key[0]) == g and int(p[8]) > 0)
        ratios.append((f'page data on the wire over the pages the guest touched on b, {g} GiB',
                       fmt(v[0], 2) if v else 'n/a', '1.00'))
        both = [(pages[key], left[key]) for key in sorted(pages) if key in left and int(key[0]) == g]
        v = stats(int(p[3]) / (4096 * int(lf[3])) for p, lf in both if int(lf[3]) > 0)
        ratios.append((f'page data on the wire over the pages that left a, {g} GiB',
                       fmt(v[0], 2) if v else 'n/a', '-'))
    if ratios:
        w = max(len(x[0]) for x in ratios)
        r2 = rule(w, 7, 7)
        out += ['The ratios of the goals (of the medians; those of page data the median of the runs\' ratios;',
                'pages touched on b: those b\'s QEMU had mapped at the end, see below):', '',
                r2, '%-*s  %7s  %7s' % (w, 'ratio', 'this', 'goal'), r2]
        out += ['%-*s  %7s  %7s' % (w, name, val.strip(), goal) for name, val, goal in ratios] + [r2, '']
    if pages:
        r3 = rule(5, 20, 20, 18, 18, 18, 14)
        out += ['The pod moves\' pages, per run (MiB): page data that came to b after the move (dormantd\'s',
                'data_bytes_in), the pages that left a meanwhile (the module\'s count of the object\'s present',
                'pages on a: pages the guest had touched there, zeros included), the pages b\'s QEMU had',
                'mapped at the end (its Rss of the object), the grants (those with page data), the pages',
                'that came without data, and bytes of page data beyond 4 KiB per data page:', '', r3,
                '%-5s  %-20s  %-20s  %-18s  %-18s  %-18s  %-14s' % (
                    'RAM', 'page data in', 'pages left a', 'mapped on b', 'grants (w/ data)',
                    'pages w/o data', 'extra bytes'), r3]
        for key in sorted(pages, key=lambda t: (int(t[0]), int(t[1]))):
            p = [int(x) for x in pages[key][3:]]
            lf = left.get(key)
            out.append('%-5s  %-20s  %-20s  %-18s  %-18s  %-18s  %-14d' % (
                f'{key[0]}G', '%.1f' % (p[0] / 1048576), '%.1f' % (int(lf[3]) * 4096 / 1048576) if lf else 'n/a',
                '%.1f' % (p[5] * 4096 / 1048576), f'{p[3]} ({p[4]})', '%.1f' % ((p[2] - p[1]) * 4096 / 1048576),
                p[0] - p[1] * 4096))
        out += [r3, '']
    slow = [x for x in rows if x[0] == 'span-slow']
    if slow:
        r4 = rule(5, 8, 20, 20, 14)
        out += ["The guest's passes over its 32 MiB (ms by its own clock): the median pass before the move,",
                'the mean of the passes in the first 5 s on the target, and their ratio (median of the runs\'):',
                '', r4, '%-5s  %-8s  %-20s  %-20s  %14s' % ('RAM', 'mode', 'before ms', 'after ms', 'after/before'), r4]
        for g in gs:
            for m in modes:
                runs = {x[3] for x in slow if x[1] == m and int(x[2]) == g}
                b = {x[3]: x[5] for x in slow if x[1] == m and int(x[2]) == g and x[4] == 'before'}
                af = {x[3]: x[5] for x in slow if x[1] == m and int(x[2]) == g and x[4] == 'after'}
                if not runs:
                    continue
                ratio = stats(float(af[x]) / float(b[x]) for x in runs if x in b and x in af and float(b[x]))
                out.append('%-5s  %-8s  %-20s  %-20s  %14s' % (f'{g}G', m, whole(stats(b.values())),
                                                              whole(stats(af.values())),
                                                              fmt(ratio[0], 2) if ratio else 'n/a'))
        out += [r4, '']
    died = '; '.join(' '.join(x[1:]) for x in rows if x[0] == 'died')
    out += [f'Moves that failed (their figures are missing above): {died}.' if died
            else 'No guest and no migration failed in these runs.', '']
    return out


def reclaim_table(k, rows, a):
    """Memory given back: MiB returned at a few times after the delete; plot."""
    freed = [x for x in rows if x[0] == 'freed']
    mib = int(freed[0][2]) // 256 if freed else 'n/a'
    samples = [(x[1], float(x[2]), x[3]) for x in rows if x[0] == 'reclaim']

    def at(t):  # per run, the last sample taken by t s (+0.5 s: samples drift a little)
        v, reached = {}, set()
        for run, s, p in samples:
            if s <= t + 0.5:
                v[run] = p
            if s >= t - 0.5:
                reached.add(run)
        return [p for run, p in v.items() if run in reached]
    cols = [(t, stats(at(t))) for t in (5, 10, 20, 30, 45, 60, 90, 120, 180, 300) if at(t)]
    r = rule(*[17] * len(cols))
    out = [f'Kernel {k}, the guest frees {mib} MiB; MiB given back to the pools since it began deleting it, '
           f'median (min-max) of {len(freed)} runs:', '']
    if cols:
        out += [r, '  '.join('%-17s' % f'after {t} s' for t, _ in cols), r,
                '  '.join('%-17s' % ('%.0f (%.0f-%.0f)' % tuple(float(x) / 256 for x in s[:3])) for _, s in cols),
                r, '']
    if freed:
        out.append('Pages of the object present when the guest began deleting its file: %s MiB.'
                   % ', '.join(str(int(x[3]) // 256) for x in freed))
    s = stats(x[2] for x in rows if x[0] == 'deleted')
    if s:
        out.append("The guest's rm of the file took %s s (median; %s-%s)." % s[:3])
    died = '; '.join('run ' + ' '.join(x[1:]) for x in rows if x[0] == 'died')
    if died:
        out.append('Guests that died (see testing.rst; a run whose guest died before its samples '
                   f'was skipped): {died}.')
    by_s = {}
    for _, s, p in samples:  # the median of the runs at each whole second
        by_s.setdefault(int(s + 0.5), []).append(float(p))
    dat = []
    for t, v in sorted(by_s.items()):
        m = sorted(v)[(len(v) + 1) // 2 - 1] / 256
        dat.append(f'{t} ' + ('%d' % m if m == int(m) else '%.6g' % m))
    return out + [''] + chart(
        a, 'reclaim', k, dat, 'reclaim', f'Memory back in the pools after a guest frees {mib} MiB, {k} (median)',
        'set xlabel "seconds after the guest began deleting its file"\nset ylabel "MiB given back"\n'
        'set yrange [0:*]\n', 'using 1:2 with linespoints notitle')


def load(path, part):
    """The fields of each line of a results file; None if it is missing or empty."""
    if not os.path.isfile(path) or not os.path.getsize(path):
        return None
    rows = []
    with open(path, errors='replace') as f:
        for i, line in enumerate(f, 1):
            fields = line.split()
            if fields and not any(re.fullmatch(p, ' '.join(fields)) for p in LINES[part]):
                raise Refuse(f'{path}:{i}: not a {part} results line: {line.strip()!r}')
            if fields:
                rows.append(fields)
    return rows


def arguments():
    """The command line; every parameter also from the environment, as tools/bench.sh has it."""
    p = argparse.ArgumentParser(prog='report.py', description='Write Documentation/benchmarks.rst '
                                'from bench/results/ (bench/README).')
    for opt, (env, default) in PARAMS.items():
        def check(v, opt=opt, env=env):
            words = v.split() if opt.endswith('sizes') else [v]
            bad = [w for w in words or [v] if not re.fullmatch(r'[1-9][0-9]*', w)]
            if bad:
                raise argparse.ArgumentTypeError(f"'{bad[0]}' is not a positive number (--{opt} or {env})")
            return ' '.join(words)
        p.add_argument(f'--{opt}', type=check, default=os.environ.get(env) or default,
                       metavar='"GIB..."' if opt.endswith('sizes') else 'N', help=f'default: ${env} or {default}')
    p.add_argument('--results', default=f'{TOP}/bench/results', metavar='DIR', help='the raw figures (%(default)s)')
    p.add_argument('--doc', default=f'{TOP}/Documentation', metavar='DIR', help='where the report goes (%(default)s)')
    p.add_argument('kernels', nargs='*', metavar='KVER', help='kernels to report even without results')
    return p.parse_args()


def report(a):
    """Reads every results file, then writes the .dat files, the plots and the report."""
    for d, what in ((a.results, 'results'), (a.doc, 'Documentation')):
        if not os.path.isdir(d):
            raise Refuse(f"no {what} directory '{d}'")
    bad = [k for k in a.kernels if not re.fullmatch(r'[A-Za-z0-9][A-Za-z0-9._+-]*', k)]
    if bad:
        raise Refuse(f"'{bad[0]}' is not a kernel release")
    with open(f'{TOP}/bench/benchmarks.rst.in') as f:
        tmpl = Template(f.read())
    text = {o.replace('-', '_'): getattr(a, o.replace('-', '_')) for o in PARAMS}
    if not tmpl.is_valid() or not set(tmpl.get_identifiers()) <= set(text) | {'boot_modes', *PARTS}:
        raise Refuse('bench/benchmarks.rst.in: a $ that is none of its ${...} (write $$ for a dollar sign)')
    found = re.findall(r'^(?:touch|boot|zero|reclaim|pod|span)-(.+)\.txt$', '\n'.join(os.listdir(a.results)), re.M)
    kernels = sorted(set(found + a.kernels), key=lambda k: [int(x) if x.isdigit() else x
                                                            for x in re.split(r'(\d+)', k)])
    data = {(p, k): load(f'{a.results}/{p}-{k}.txt', p) for p in PARTS for k in kernels}
    tables = {'touch': touch_table, 'boot': boot_table, 'zero': zero_table, 'reclaim': reclaim_table,
              'pod': pod_table, 'span': span_table}
    for p in PARTS:
        blocks = [tables[p](k, data[p, k], a) if data[p, k] else
                  [f'No results for kernel {k} yet (run ``make bench BENCH_PARTS={p}``).', ''] for k in kernels]
        text[p] = '\n'.join('\n'.join(b) for b in blocks).rstrip('\n')
    anon4k = any(f[:2] == ['boot', 'anon-4k'] for k in kernels for f in data['boot', k] or [])
    text['boot_modes'] = (' BENCH_BOOT_MODES="dormant anon prealloc hugetlb hugetlb-prealloc anon-4k"'
                          if anon4k else '')
    doc = re.sub(r'\n{3,}', '\n\n', tmpl.substitute(text)).rstrip('\n') + '\n\n'
    if os.path.isfile(f'{TOP}/bench/findings.rst'):
        with open(f'{TOP}/bench/findings.rst') as f:
            doc += f.read()
    rst = f'{a.doc}/benchmarks.rst'
    try:
        with open(rst + '.tmp', 'w') as f:
            f.write(doc)
        os.replace(rst + '.tmp', rst)
    finally:
        if os.path.exists(rst + '.tmp'):
            os.remove(rst + '.tmp')
    print(f'report.py: wrote {rst}, the .dat files in {a.results} and the plots in {a.doc}')


if __name__ == '__main__':
    try:
        report(arguments())
    except Refuse as e:
        print(f'report.py: {e}', file=sys.stderr)
        sys.exit(2)
    except OSError as e:
        print(f'report.py: {e}', file=sys.stderr)
        sys.exit(1)
