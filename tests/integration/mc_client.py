"""A deterministic, bounded memcached load (text protocol), run as a separate
process from the server.

mc_client.py PORT ping          exits 0 once the server answers "version"
mc_client.py PORT load N CONNS  N keys over CONNS connections: set, add,
                                replace, append, incr, delete; then prints
                                every key's final value, sorted, from one
                                multi-get per 100 keys
"""
import hashlib
import socket
import sys
import threading


class Conn:
    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=120)
        self.buf = b""

    def line(self):
        while b"\r\n" not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise IOError("connection closed")
            self.buf += chunk
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def exact(self, n):
        while len(self.buf) < n:
            chunk = self.s.recv(65536)
            if not chunk:
                raise IOError("connection closed")
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def cmd(self, text, data=None):
        out = text.encode() + b"\r\n"
        if data is not None:
            out += data + b"\r\n"
        self.s.sendall(out)
        return self.line()

    def store(self, verb, key, value):
        return self.cmd("%s %s 0 0 %d" % (verb, key, len(value)), value)

    def get_many(self, keys):
        self.s.sendall(("get " + " ".join(keys) + "\r\n").encode())
        got = {}
        while True:
            line = self.line()
            if line == b"END":
                return got
            parts = line.split()
            if parts[0] != b"VALUE":
                raise IOError("unexpected reply %r" % line)
            got[parts[1].decode()] = self.exact(int(parts[3]) + 2)[:-2]


def value(i):
    return hashlib.sha256(str(i).encode()).hexdigest().encode() * (1 + i % 7)


def worker(port, keys, errors):
    try:
        c = Conn(port)
        for i in keys:
            k = "key:%d" % i
            expect = {
                "set": b"STORED", "add": b"NOT_STORED", "replace": b"STORED",
                "append": b"STORED",
            }
            for verb, v in (("set", value(i)), ("add", b"x"), ("replace", value(i + 1)),
                            ("append", b":tail")):
                r = c.store(verb, k, v)
                if r != expect[verb]:
                    raise IOError("%s %s -> %r" % (verb, k, r))
            c.store("set", "n:%d" % i, str(i).encode())
            for _ in range(i % 5):
                c.cmd("incr n:%d 3" % i)
            if i % 11 == 0:
                if c.cmd("delete %s" % k) != b"DELETED":
                    raise IOError("delete %s failed" % k)
        c.s.close()
    except Exception as e:  # reported by the main thread
        errors.append(repr(e))


def main():
    port, what = int(sys.argv[1]), sys.argv[2]
    if what == "ping":
        try:
            return 0 if Conn(port).cmd("version").startswith(b"VERSION") else 1
        except OSError:
            return 1
    n, conns = int(sys.argv[3]), int(sys.argv[4])
    errors = []
    ts = [threading.Thread(target=worker, args=(port, range(c, n, conns), errors))
          for c in range(conns)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    c = Conn(port)
    keys = ["key:%d" % i for i in range(n)] + ["n:%d" % i for i in range(n)]
    got = {}
    for b in range(0, len(keys), 100):
        got.update(c.get_many(keys[b:b + 100]))
    for k in sorted(keys):
        v = got.get(k)
        print(k, "<missing>" if v is None else hashlib.md5(v).hexdigest())
    return 0


if __name__ == "__main__":
    sys.exit(main())
