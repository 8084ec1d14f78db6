#!/usr/bin/env python3
"""A write load for failover drills (docs/deploy.md, 1.7).

    echo PASSWORD | scripts/drill-load.py http://127.0.0.1:6110 OUTDIR [--user caseworker1]
        [--workers 2] [--run A]

Signs in as --user (password on standard input), then each worker creates
cases with POST /api/v1/cases, each with its own Idempotency-Key
(RUN-wN-NNNNN); a create that fails (any answer but 201, or no answer) is
sent again with the same key every 0.2 s until it is answered 201. Runs
until SIGINT or SIGTERM, then prints what it saw:

  OUTDIR/attempts.jsonl  every attempt: send time, key, try, status, error code
  OUTDIR/acked.tsv       every 201: key, case id, case code (one line each)

and a summary: attempts per status, and each outage (from the last 201 before
a run of failures to the first 201 after it). Compare acked.tsv with the
database afterwards: every line's id and code present once, and the cases
table grown by exactly its number of lines. The drill's cases carry no
personal data (a fixed survivor, "Failover drill case KEY" as summary)."""
import argparse
import collections
import datetime
import http.client
import json
import os
import signal
import sys
import threading
import time
import urllib.parse

stop = threading.Event()
lock = threading.Lock()


def hms(t):
    return datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%H:%M:%S.%f")[:-3]


class Client:
    def __init__(self, url):
        u = urllib.parse.urlsplit(url)
        if u.scheme not in ("http", "https"):
            sys.exit("drill-load: not an http(s) URL: %s" % url)
        self.https = u.scheme == "https"
        self.host, self.port = u.hostname, u.port or (443 if self.https else 80)

    def request(self, path, body, headers):
        cls = http.client.HTTPSConnection if self.https else http.client.HTTPConnection
        c = cls(self.host, self.port, timeout=30)
        try:
            h = {"Content-Type": "application/json"}
            h.update(headers)
            c.request("POST", path, json.dumps(body), h)
            r = c.getresponse()
            data = r.read()
            try:
                return r.status, json.loads(data)
            except ValueError:
                return r.status, None
        finally:
            c.close()


def sign_in(client, user, password):
    while not stop.is_set():
        try:
            st, v = client.request("/api/v1/session", {"username": user, "password": password}, {})
            if st == 201:
                return v["token"]
            print("drill-load: sign-in answered %d" % st, file=sys.stderr)
        except OSError as e:
            print("drill-load: sign-in: %s" % e, file=sys.stderr)
        time.sleep(0.5)
    return None


def worker(n, client, args, password, token, attempts, acked, rows):
    i = 0
    while not stop.is_set():
        i += 1
        key = "%s-w%d-%05d" % (args.run, n, i)
        body = {"location_code": "17071001", "concerns": ["unsafe_migration"],
                "summary": "Failover drill case %s" % key,
                "survivor": {"sex": "female", "age": 30}}
        tries = 0
        while True:
            tries += 1
            t0 = time.time()
            err = None
            try:
                st, v = client.request("/api/v1/cases", body, {
                    "Authorization": "Bearer " + token, "Idempotency-Key": key})
                if isinstance(v, dict) and isinstance(v.get("error"), dict):
                    err = v["error"].get("code")
            except OSError as e:
                st, v, err = None, None, type(e).__name__
            rec = {"t": t0, "at": hms(t0), "dt": round(time.time() - t0, 3), "key": key,
                   "try": tries, "status": st, "err": err}
            with lock:
                attempts.write(json.dumps(rec) + "\n")
                attempts.flush()
                rows.append(rec)
                if st == 201:
                    acked.write("%s\t%s\t%s\n" % (key, v["id"], v["code"]))
                    acked.flush()
            if st == 201:
                break
            if st == 401:
                token = sign_in(client, args.user, password)
            if stop.wait(0.2):
                print("drill-load: stopped with %s not answered 201" % key, file=sys.stderr)
                return
        stop.wait(0.05)


def summary(rows):
    rows.sort(key=lambda r: r["t"])
    by = collections.Counter("%s %s" % (r["status"] or "no answer", r["err"] or "") for r in rows)
    print("attempts: %d" % len(rows))
    for k, n in sorted(by.items()):
        print("  %-24s %d" % (k.strip(), n))
    print("acknowledged (201): %d" % sum(1 for r in rows if r["status"] == 201))
    last_ok, fails = None, []
    for r in rows:
        if r["status"] != 201:
            fails.append(r)
            continue
        if fails:
            print("outage: last 201 sent %s, first failure %s, last failure %s, next 201 sent %s:"
                  " %.1f s, %d failed attempts" % (
                      last_ok["at"] if last_ok else "-", fails[0]["at"], fails[-1]["at"],
                      r["at"], r["t"] - (last_ok["t"] if last_ok else fails[0]["t"]), len(fails)))
            fails = []
        last_ok = r
    if fails:
        print("unfinished: %d failed attempts since %s" % (len(fails), fails[0]["at"]))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("url")
    p.add_argument("outdir")
    p.add_argument("--user", default="caseworker1")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--run", default="drill", help="prefix of the Idempotency-Keys")
    args = p.parse_args()
    password = sys.stdin.readline().rstrip("\n")
    os.makedirs(args.outdir, exist_ok=True)
    client = Client(args.url)
    for s in (signal.SIGINT, signal.SIGTERM):
        signal.signal(s, lambda *_: stop.set())
    token = sign_in(client, args.user, password)
    if token is None:
        return 1
    rows = []
    with open(os.path.join(args.outdir, "attempts.jsonl"), "a") as attempts, \
            open(os.path.join(args.outdir, "acked.tsv"), "a") as acked:
        ts = [threading.Thread(target=worker, args=(n, client, args, password, token,
                                                    attempts, acked, rows))
              for n in range(args.workers)]
        for t in ts:
            t.start()
        while any(t.is_alive() for t in ts):
            time.sleep(0.2)
    summary(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
