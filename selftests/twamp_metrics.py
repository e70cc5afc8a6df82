#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The client side of twamp_metrics.sh: scrapes, Prometheus' HTTP API and
hostile scrapers, against twampd's metrics endpoint.

  scrape HOST:PORT [--om] [--source ADDR]
      GET /metrics, parse it with prometheus_client (the OpenMetrics
      parser when the answer says it is OpenMetrics) and print, as JSON,
      {"status", "content_type", "samples": [{"name", "labels", "value"}]}
  check HOST:PORT
      the text and OpenMetrics scrapes, GET / and POST /metrics, as JSON
      {"text": SCRAPE, "om": SCRAPE, "get /": STATUS, "post /metrics": STATUS}
  status HOST:PORT METHOD PATH
      print the HTTP status of one request
  query HOST:PORT PROMQL [SECONDS]
      print the JSON result vector of a Prometheus instant query, polled
      for up to SECONDS until not empty
  hostile METRICS_HOST:PORT CONTROL_HOST:PORT
      the hostile scrapers test (see hostile()); exit 0 on success

Lines starting with '#' are diagnostics, as KTAP wants them.
"""

import http.client
import json
import math
import socket
import sys
import threading
import time
import urllib.parse


def log(msg):
    for line in str(msg).splitlines():
        print(f"# {line}", file=sys.stderr)


def hostport(s):
    host, _, port = s.rpartition(":")
    return host.strip("[]"), int(port)


def http_get(target, path, headers=None, source=None, method="GET",
             timeout=20):
    host, port = hostport(target)
    conn = http.client.HTTPConnection(
        host, port, timeout=timeout,
        source_address=(source, 0) if source else None)
    try:
        conn.request(method, path, headers=headers or {})
        r = conn.getresponse()
        return r.status, r.getheader("Content-Type", ""), r.read().decode()
    finally:
        conn.close()


def parse(body, om):
    if om:
        from prometheus_client.openmetrics.parser import \
            text_string_to_metric_families
    else:
        from prometheus_client.parser import text_string_to_metric_families
    out = []
    for fam in text_string_to_metric_families(body):
        for s in fam.samples:
            v = s.value
            out.append({"name": s.name, "family": fam.name, "type": fam.type,
                        "labels": s.labels,
                        "value": None if math.isnan(v) else v})
    return out


def cmd_scrape(args):
    om = "--om" in args
    source = args[args.index("--source") + 1] if "--source" in args else None
    headers = {"Accept": "application/openmetrics-text; version=1.0.0"} \
        if om else {}
    status, ctype, body = http_get(args[0], "/metrics", headers, source)
    samples = parse(body, ctype.startswith("application/openmetrics-text")) \
        if status == 200 else []
    json.dump({"status": status, "content_type": ctype,
               "eof": body.endswith("# EOF\n"), "samples": samples},
              sys.stdout)
    print()
    return 0


def cmd_check(args):
    """The text and OpenMetrics scrapes and two refusals, in one start of
    Python (each costs seconds in an emulated guest)."""
    out = {}
    for form, headers in (("text", {}), ("om", {
            "Accept": "application/openmetrics-text; version=1.0.0"})):
        status, ctype, body = http_get(args[0], "/metrics", headers)
        om = ctype.startswith("application/openmetrics-text")
        out[form] = {"status": status, "content_type": ctype,
                     "eof": body.endswith("# EOF\n"),
                     "samples": parse(body, om) if status == 200 else []}
    out["get /"] = http_get(args[0], "/")[0]
    out["post /metrics"] = http_get(args[0], "/metrics", method="POST")[0]
    json.dump(out, sys.stdout)
    print()
    return 0


def cmd_status(args):
    status, _, _ = http_get(args[0], args[2], method=args[1])
    print(status)
    return 0


def query(target, promql):
    q = urllib.parse.urlencode({"query": promql})
    status, _, body = http_get(target, "/api/v1/query?" + q)
    if status != 200:
        raise OSError(f"HTTP {status}: {body}")
    return json.loads(body)["data"]["result"]


def cmd_query(args):
    """query HOST:PORT PROMQL [SECONDS]: the result vector, polled for up
    to SECONDS (while Prometheus starts and scrapes) until not empty."""
    deadline = time.monotonic() + (float(args[2]) if len(args) > 2 else 0)
    while True:
        try:
            r = query(args[0], args[1])
        except OSError as e:
            r, err = [], e
        else:
            err = None
        if r or time.monotonic() >= deadline:
            break
        time.sleep(0.2)
    if err and not r:
        log(f"query: {err}")
    json.dump(r, sys.stdout)
    print()
    return 0


def connect(target, source=None):
    host, port = hostport(target)
    return socket.create_connection(
        (host, port), timeout=30,
        source_address=(source, 0) if source else None)


def greeting(target):
    """The 64-octet Server-Greeting of TWAMP-Control (RFC 4656 3.1)."""
    s = connect(target)
    buf = b""
    try:
        while len(buf) < 64:
            chunk = s.recv(64 - len(buf))
            if not chunk:
                break
            buf += chunk
    finally:
        s.close()
    return len(buf) == 64 and buf[12:16] != b"\0\0\0\0"


def closed(s):
    """Has the server closed @s? (Non-blocking peek.)"""
    try:
        s.setblocking(False)
        data = s.recv(65536)
        return data == b"" or data.startswith(b"HTTP/")
    except BlockingIOError:
        return False
    except OSError:
        return True


def hostile(args):
    """
    While hostile clients hold connections to the metrics endpoint:
      - IDLE idle connections from 127.0.0.1 (send nothing), as many as
        the per-address limit;
      - a trickler from 127.0.0.4: a request header one octet a second,
        never finished, under the idle timeout, which only the absolute
        deadline ends;
      - a flood from 127.0.0.3: a header of 1 KiB pieces, far past the
        header limit, which must be refused (431) or cut before 256 KiB;
    twampd must still greet TWAMP-Control clients and serve /metrics to
    another address (127.0.0.2); every hostile connection must then be
    closed by twampd (EOF), and /metrics served to 127.0.0.1 again.
    """
    metrics, control = args[0], args[1]
    idle = [connect(metrics) for _ in range(8)]
    trickle = connect(metrics, "127.0.0.4")
    trickled = {}

    def trickler():
        t0 = time.monotonic()
        try:
            trickle.sendall(b"GET /metrics HTTP/1.1\r\nX-Slow: ")
            while time.monotonic() - t0 < 120:
                trickle.sendall(b"x")
                if closed(trickle):
                    break
                trickle.setblocking(True)
                time.sleep(0.5)
        except OSError:
            pass
        trickled["after"] = time.monotonic() - t0
        trickled["closed"] = closed(trickle)

    tt = threading.Thread(target=trickler)
    tt.start()
    ok = True

    # The flood: until twampd answers or closes.
    flood = connect(metrics, "127.0.0.3")
    flood.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nX-Pad: ")
    sent, status = 0, None
    try:
        while sent < 256 * 1024:
            flood.sendall(b"a" * 1024)
            sent += 1024
            time.sleep(0.005)
    except OSError:
        pass
    flood.settimeout(30)
    try:
        reply = flood.recv(4096)
        if reply.startswith(b"HTTP/"):
            status = int(reply.split()[1])
    except OSError:
        reply = b""
    log(f"flood: twampd stopped it after {sent} octets: "
        f"{'HTTP %s' % status if status else 'connection closed'}")
    if sent >= 256 * 1024 or (status is not None and status < 400):
        log("FAIL: a header past the limit was taken")
        ok = False
    flood.close()

    t0 = time.monotonic()
    if not greeting(control):
        log("FAIL: no TWAMP-Control greeting while the endpoint is busy")
        ok = False
    st, _, body = http_get(metrics, "/metrics", source="127.0.0.2")
    if st != 200 or "twamp_build_info" not in body:
        log(f"FAIL: /metrics from 127.0.0.2 while busy: HTTP {st}")
        ok = False
    log(f"control greeting and a scrape while busy: "
        f"{time.monotonic() - t0:.2f} s")

    # Every hostile connection ends, by twampd's doing: the idle ones by
    # the idle timeout, the trickler (under it) by the deadline.
    pending = {"idle %d" % i: s for i, s in enumerate(idle)}
    t0 = time.monotonic()
    while pending and time.monotonic() - t0 < 120:
        for name, s in list(pending.items()):
            if closed(s):
                log(f"{name}: closed by twampd after "
                    f"{time.monotonic() - t0:.1f} s")
                del pending[name]
        time.sleep(0.5)
    tt.join()
    log(f"trickler: {'closed by twampd' if trickled['closed'] else 'open'}"
        f" after {trickled['after']:.1f} s")
    if pending or not trickled["closed"]:
        log("FAIL: hostile connections still open after 120 s")
        ok = False
    for s in idle + [trickle]:
        s.close()

    st, _, body = http_get(metrics, "/metrics")
    if st != 200:
        log(f"FAIL: /metrics from 127.0.0.1 afterwards: HTTP {st}")
        ok = False
    return 0 if ok else 1


def main():
    cmds = {"scrape": cmd_scrape, "check": cmd_check, "status": cmd_status,
            "query": cmd_query, "hostile": hostile}
    if len(sys.argv) < 3 or sys.argv[1] not in cmds:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
