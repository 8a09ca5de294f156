#!/usr/bin/env python3
"""A small OTLP/HTTP logs receiver on loopback for the exporter test.

    otlp_receiver.py PORT_FILE OUT_FILE [--status N] [--delay SECONDS]

Listens on 127.0.0.1 (a free port, written to PORT_FILE), takes POST /v1/logs with a JSON
ExportLogsServiceRequest, checks its shape, and appends one JSON line per log record to OUT_FILE:
{"resource": {key: value}, "time": ..., "severity": ..., "event": ..., "body": <the body parsed>}.
A request that is not well formed is recorded as {"error": why} and answered 400; the others get
--status (200). --delay waits before answering (a slow collector)."""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT_FILE, OUT_FILE = sys.argv[1], sys.argv[2]
STATUS = int(sys.argv[sys.argv.index("--status") + 1]) if "--status" in sys.argv else 200
DELAY = float(sys.argv[sys.argv.index("--delay") + 1]) if "--delay" in sys.argv else 0.0
lock = threading.Lock()


def values(attrs):
    out = {}
    for a in attrs:
        v = a["value"]
        out[a["key"]] = v.get("stringValue", v.get("intValue"))
    return out


def records(req):
    """The log records of a request, or raises ValueError saying what is wrong."""
    rl = req["resourceLogs"]
    if not isinstance(rl, list) or not rl:
        raise ValueError("resourceLogs is no list")
    out = []
    for r in rl:
        res = values(r["resource"]["attributes"])
        for key in ("service.name", "k8s.pod.name"):
            if key not in res:
                raise ValueError("resource without " + key)
        for sl in r["scopeLogs"]:
            if sl["scope"]["name"] != "jobtrail":
                raise ValueError("scope " + sl["scope"]["name"])
            for lr in sl["logRecords"]:
                if not isinstance(lr["timeUnixNano"], str) or not lr["timeUnixNano"].isdigit():
                    raise ValueError("timeUnixNano is no decimal string")
                if not isinstance(lr["severityNumber"], int):
                    raise ValueError("severityNumber is no integer")
                body = json.loads(lr["body"]["stringValue"])
                attrs = values(lr["attributes"])
                if attrs.get("event.name") != body.get("type"):
                    raise ValueError("event.name is not the body's type")
                out.append({"resource": res, "time": lr["timeUnixNano"], "severity": lr["severityNumber"],
                            "event": attrs["event.name"], "body": body})
    return out


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        data = self.rfile.read(length)
        try:
            if self.path != "/v1/logs":
                raise ValueError("path " + self.path)
            if self.headers.get("Content-Type") != "application/json":
                raise ValueError("content type %s" % self.headers.get("Content-Type"))
            lines = [json.dumps(r) for r in records(json.loads(data))]
            status = STATUS
        except (ValueError, KeyError, TypeError) as e:
            lines = [json.dumps({"error": str(e)})]
            status = 400
        with lock, open(OUT_FILE, "a") as f:
            f.write("".join(l + "\n" for l in lines))
        time.sleep(DELAY)
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(PORT_FILE + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os  # noqa: E402
os.rename(PORT_FILE + ".tmp", PORT_FILE)
server.serve_forever()
