"""Writes a deterministic, compressible text file: gen_input.py PATH MEGABYTES."""
import random
import sys

path, mb = sys.argv[1], int(sys.argv[2])
r = random.Random(20240611)
words = ["".join(r.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(r.randint(2, 10)))
         for _ in range(4000)]
target = mb * 1024 * 1024
with open(path, "w") as f:
    n = 0
    while n < target:
        line = " ".join(r.choice(words) for _ in range(12)) + " %d\n" % r.randint(0, 10 ** 9)
        f.write(line)
        n += len(line)
