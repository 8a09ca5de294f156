#!/usr/bin/env python3
"""A fault-injecting HTTP/1.1 proxy for the storage tests: sits between the S3 client and RGW
and, per request, either forwards it or injects one fault:
  reset       close the client connection with a TCP RST before forwarding anything
  500         answer 500 InternalError (S3 XML) without forwarding
  slowdown    answer 503 SlowDown (S3 XML) without forwarding
  stall       read the request, say nothing for --stall seconds, then close
  lost-reply  forward the request (RGW acts on it), then RST instead of relaying the reply
  403         answer 403 AccessDenied (S3 XML) without forwarding: a key the store refuses
Faults are drawn from a seeded RNG with probability --rate, so a run is repeatable. The counts
are rewritten to --stats (JSON) after every request so a test can check faults really happened.
With --tls-cert/--tls-key it terminates TLS (the TLS verification tests use it with --rate 0).
--only TEXT limits faults to requests whose request line contains TEXT (e.g. "/events-": the
segments fail, the manifest goes through); --while-exists PATH injects faults only while PATH
exists, so a test brings the store "back" by deleting it.
Prints the port it listens on, then serves until killed."""
import argparse, json, os, random, socket, ssl, struct, sys, threading, time

# The default mix is what a retry heals; 403 only when asked for (--faults 403).
DEFAULT_FAULTS = ["reset", "500", "slowdown", "stall", "lost-reply"]
FAULTS = DEFAULT_FAULTS + ["403"]


def read_until(sock, buf, marker):
    while marker not in buf:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("peer closed")
        buf += data
    i = buf.index(marker) + len(marker)
    return buf[:i], buf[i:]


def read_exact(sock, buf, n):
    while len(buf) < n:
        data = sock.recv(65536)
        if not data:
            raise ConnectionError("peer closed")
        buf += data
    return buf[:n], buf[n:]


def headers_of(head):
    lines = head.decode("latin-1").split("\r\n")
    hs = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            hs[k.strip().lower()] = v.strip()
    return lines[0], hs


def read_message(sock, buf, no_body=False):
    """One HTTP message (head + body by Content-Length or chunked). Returns (raw, rest)."""
    head, buf = read_until(sock, buf, b"\r\n\r\n")
    _, hs = headers_of(head)
    if no_body:
        return head, buf
    if hs.get("transfer-encoding", "").lower() == "chunked":
        raw = b""
        while True:
            line, buf = read_until(sock, buf, b"\r\n")
            raw += line
            size = int(line.split(b";")[0], 16)
            chunk, buf = read_exact(sock, buf, size + 2)
            raw += chunk
            if size == 0:
                return head + raw, buf
    n = int(hs.get("content-length", "0"))
    body, buf = read_exact(sock, buf, n)
    return head + body, buf


def rst(sock):
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


class Proxy:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.lock = threading.Lock()
        self.stats = {k: 0 for k in FAULTS + ["forwarded", "requests"]}

    def pick(self, request_line):
        with self.lock:
            self.stats["requests"] += 1
            if self.a.only and self.a.only.encode() not in request_line:
                return None
            if self.a.while_exists and not os.path.exists(self.a.while_exists):
                return None
            if self.rng.random() < self.a.rate:
                return self.rng.choice(self.a.faults)
            return None

    def count(self, what):
        with self.lock:
            self.stats[what] += 1
            if self.a.stats:
                with open(self.a.stats + ".tmp", "w") as f:
                    json.dump(self.stats, f)
                import os
                os.replace(self.a.stats + ".tmp", self.a.stats)

    def xml_error(self, client, status, reason, code):
        body = f'<?xml version="1.0" encoding="UTF-8"?><Error><Code>{code}</Code><Message>injected by fault_proxy</Message><RequestId>proxy</RequestId></Error>'.encode()
        client.sendall(f"HTTP/1.1 {status} {reason}\r\nContent-Type: application/xml\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)

    def serve_client(self, client):
        upstream = None
        buf = b""
        try:
            while True:
                try:
                    req, buf = read_message(client, buf)
                except ConnectionError:
                    return
                method = req.split(b" ", 1)[0]
                fault = self.pick(req.split(b"\r\n", 1)[0])
                if fault == "reset":
                    self.count("reset"); rst(client); return
                if fault == "500":
                    self.count("500"); self.xml_error(client, 500, "Internal Server Error", "InternalError"); continue
                if fault == "403":
                    self.count("403"); self.xml_error(client, 403, "Forbidden", "AccessDenied"); continue
                if fault == "slowdown":
                    self.count("slowdown"); self.xml_error(client, 503, "Slow Down", "SlowDown"); continue
                if fault == "stall":
                    self.count("stall"); time.sleep(self.a.stall); client.close(); return
                if upstream is None:
                    upstream = socket.create_connection((self.a.upstream_host, self.a.upstream_port))
                upstream.sendall(req)
                reply, _ = read_message(upstream, b"", no_body=False) if method != b"HEAD" else read_message(upstream, b"", no_body=True)
                if fault == "lost-reply":
                    self.count("lost-reply"); rst(client); return
                client.sendall(reply)
                self.count("forwarded")
        except (OSError, ConnectionError, ValueError):
            pass
        finally:
            for s in (client, upstream):
                try:
                    if s: s.close()
                except OSError:
                    pass

    def run(self):
        ls = socket.socket()
        ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        ls.bind(("127.0.0.1", self.a.port))
        ls.listen(64)
        ctx = None
        if self.a.tls_cert:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(self.a.tls_cert, self.a.tls_key)
        print(ls.getsockname()[1], flush=True)
        while True:
            c, _ = ls.accept()
            if ctx:
                try:
                    c.settimeout(10)
                    c = ctx.wrap_socket(c, server_side=True)
                    c.settimeout(None)
                except (ssl.SSLError, OSError):
                    c.close(); continue
            threading.Thread(target=self.serve_client, args=(c,), daemon=True).start()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--upstream", required=True, help="HOST:PORT of the real server")
    p.add_argument("--port", type=int, default=0)
    p.add_argument("--rate", type=float, default=0.3, help="probability of a fault per request")
    p.add_argument("--faults", default=",".join(DEFAULT_FAULTS), help="comma list out of " + ",".join(FAULTS))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--stall", type=float, default=5.0, help="seconds a stalled request hangs")
    p.add_argument("--stats", default="", help="JSON file with the counts, rewritten per request")
    p.add_argument("--only", default="", help="inject faults only into requests whose request line has this text")
    p.add_argument("--while-exists", default="", help="inject faults only while this file exists")
    p.add_argument("--tls-cert", default="")
    p.add_argument("--tls-key", default="")
    a = p.parse_args()
    a.upstream_host, a.upstream_port = a.upstream.rsplit(":", 1)
    a.upstream_port = int(a.upstream_port)
    a.faults = [f for f in a.faults.split(",") if f]
    bad = [f for f in a.faults if f not in FAULTS]
    if bad:
        sys.exit("fault_proxy: unknown faults " + ",".join(bad))
    Proxy(a).run()


if __name__ == "__main__":
    main()
