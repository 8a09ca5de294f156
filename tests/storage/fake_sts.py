#!/usr/bin/env python3
"""A stand-in for AWS STS AssumeRoleWithWebIdentity on loopback, for the web identity test.
Answers POST / with temporary credentials valid for --ttl seconds (AccessKeyId ASIA<n>, n
counting calls); refuses any RoleArn other than --role with 403 AccessDenied. Appends each
call's form fields as one JSON line to --log. Prints its port, then serves until killed."""
import argparse, datetime, json, urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

a = None
calls = 0


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        global calls
        n = int(self.headers.get("Content-Length", "0"))
        form = {k: v[0] for k, v in urllib.parse.parse_qs(self.rfile.read(n).decode(), keep_blank_values=True).items()}
        with open(a.log, "a") as f:
            f.write(json.dumps(form) + "\n")
        if form.get("Action") != "AssumeRoleWithWebIdentity" or form.get("RoleArn") != a.role:
            return self.reply(403, '<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>'
                                   '<Message>Not authorized to perform sts:AssumeRoleWithWebIdentity</Message></Error>'
                                   '<RequestId>fake-1</RequestId></ErrorResponse>')
        calls += 1
        exp = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=a.ttl)).strftime("%Y-%m-%dT%H:%M:%SZ")
        self.reply(200, f'<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">'
                        f'<AssumeRoleWithWebIdentityResult><Credentials><AccessKeyId>ASIA{calls}</AccessKeyId>'
                        f'<SecretAccessKey>secret{calls}</SecretAccessKey><SessionToken>token{calls}</SessionToken>'
                        f'<Expiration>{exp}</Expiration></Credentials></AssumeRoleWithWebIdentityResult>'
                        f'</AssumeRoleWithWebIdentityResponse>')


def main():
    global a
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--role", required=True)
    p.add_argument("--ttl", type=int, default=3600)
    p.add_argument("--log", required=True)
    a = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
