#!/usr/bin/env python3
"""Writes a 10,000-finding check JSON, a 10,000-thread runtime dump and the
sources they point to into DIR (bench/report/bench.sh)."""
import json, os, random, sys

out = sys.argv[1]
n_findings = int(sys.argv[2]) if len(sys.argv) > 2 else 10000
n_threads = int(sys.argv[3]) if len(sys.argv) > 3 else 10000
random.seed(1)
checks = ['channel-unclosed', 'channel-double-close', 'thread-leak', 'cancel-missing',
          'lock-held-across-blocking', 'channel-send-after-close']
files = ['src/mod%d/file%d.cpp' % (i % 10, i) for i in range(200)]
for f in files:
    os.makedirs(os.path.join(out, os.path.dirname(f)), exist_ok=True)
    with open(os.path.join(out, f), 'w') as fh:
        for l in range(1, 401):
            fh.write('  call_%d(channel_%d, value);  // line %d of %s\n' % (l, l % 7, l, f))
findings = []
for i in range(n_findings):
    f = random.choice(files)
    line = random.randint(5, 390)
    notes = [{'file': random.choice([f, random.choice(files)]), 'line': random.randint(5, 390),
              'column': 3, 'message': 'note %d of finding %d' % (k, i)} for k in range(random.randint(0, 3))]
    findings.append({'check': random.choice(checks), 'severity': 'warning',
                     'message': 'finding %d: channel is closed twice on some path' % i, 'file': f,
                     'line': line, 'column': 3, 'end_line': line, 'end_column': 10,
                     'function': 'ns::Class%d::method%d' % (i % 50, i % 7), 'fingerprint': '%016x' % i,
                     'notes': notes, 'fixes': []})
with open(os.path.join(out, 'findings.json'), 'w') as fh:
    json.dump({'version': 1, 'tool': {'name': 'tether', 'version': '0.1.0'}, 'findings': findings,
               'errors': [], 'checks': [{'id': c, 'summary': 's', 'help': 'h', 'default_severity': 'warning'} for c in checks]}, fh)
# dump_10k-style: many threads blocked in a few places.
libc = {'pc': '0x1', 'function': 'pthread_cond_wait', 'file': '', 'line': 0, 'offset': '0x0',
        'module': '/lib/x86_64-linux-gnu/libc.so.6', 'inlined': False}
stacks = []
for s in range(40):
    f = files[s]
    stacks.append([libc] + [{'pc': '0x%x' % (s * 16 + k), 'function': 'worker_%d_%d' % (s, k), 'file': '/build/' + f,
                             'line': 10 + k, 'offset': '0x10', 'module': '/bin/app', 'inlined': False} for k in range(8)])
threads = []
for i in range(n_threads):
    s = i % 40
    threads.append({'id': i + 1, 'tid': 1000 + i, 'name': 'worker-%d' % i, 'parent_id': 1, 'state': 'blocked',
                    'reason': ['chan receive', 'mutex lock', 'cond wait'][s % 3], 'intercepted_reason': 'cond wait',
                    'wait_ns': random.randint(1, 30) * 10**9, 'timed': False, 'object': '0x%x' % (s * 64),
                    'held_by': None, 'join_target': None, 'detached': False,
                    'start_unix_ns': 1700000000000000000, 'labels': {'pool': 'p%d' % (s % 4)},
                    'stack': stacks[s], 'created_by': [{'pc': '0x9', 'function': 'spawn', 'file': '/build/' + files[s],
                                                        'line': 3, 'offset': '0x0', 'module': '/bin/app', 'inlined': False}]})
with open(os.path.join(out, 'dump.json'), 'w') as fh:
    json.dump({'schema': 'tether.threads/1', 'pid': 1, 'trigger': 'SIGQUIT',
               'time_unix_ns': 1700000060000000000, 'threads': threads}, fh)
