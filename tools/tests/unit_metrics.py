#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""twampd's metrics exposition, read by the parsers Prometheus users have.

build/unit-metrics --dump text|om prints the exposition of a sample
snapshot (tools/tests/unit_metrics.c); here it must parse with Debian's
python3-prometheus-client (the text parser, and the strict OpenMetrics
one) and pass promtool's "check metrics" lint (package prometheus), with
the values the snapshot holds. KTAP on standard output.

usage: unit_metrics.py BUILD/unit-metrics
"""

import shutil
import subprocess
import sys

n = 0
failed = 0


def check(name, cond, detail=""):
    global n, failed
    n += 1
    if cond:
        print(f"ok {n} {name}")
    else:
        failed += 1
        print(f"not ok {n} {name}")
        for line in str(detail).splitlines():
            print(f"# {line}")


def dump(prog, form):
    return subprocess.run([prog, "--dump", form], check=True,
                          capture_output=True, text=True).stdout


def families(parse, text):
    return {f.name: f for f in parse(text)}


def sample(fams, family, name, **labels):
    for s in fams[family].samples:
        if s.name == name and all(s.labels.get(k) == v
                                  for k, v in labels.items()):
            return s.value
    return None


SENDER = {"id": "3", "remote": "192.0.2.7", "remote_port": "862",
          "format": "stamp"}


def main():
    prog = sys.argv[1]
    text, om = dump(prog, "text"), dump(prog, "om")
    print("KTAP version 1")

    try:
        from prometheus_client.parser import \
            text_string_to_metric_families as parse_text
        from prometheus_client.openmetrics.parser import \
            text_string_to_metric_families as parse_om
    except ImportError as e:
        check("metrics: python3-prometheus-client installed (make deps)",
              False, e)
        parse_text = parse_om = None

    if parse_text:
        try:
            fams = families(parse_text, text)
            err = None
        except Exception as e:  # the parser's own error, whatever it is
            fams, err = {}, e
        check("metrics: text form parses (prometheus_client)", not err, err)
        if fams:
            check("metrics: text form: RTT is a summary, p50 120 us",
                  fams["twamp_sender_rtt_seconds"].type == "summary" and
                  sample(fams, "twamp_sender_rtt_seconds",
                         "twamp_sender_rtt_seconds", quantile="0.5",
                         **SENDER) == 0.00012,
                  fams.get("twamp_sender_rtt_seconds"))
            check("metrics: text form: reflector drops are a counter",
                  fams["twamp_reflector_dropped_packets"].type == "counter"
                  and sample(fams, "twamp_reflector_dropped_packets",
                             "twamp_reflector_dropped_packets_total",
                             id="1", reason="acl") == 2.0)
            check("metrics: text form: escaped label value read back",
                  sample(fams, "twamp_session_received_packets",
                         "twamp_session_received_packets_total",
                         peer='a"b\\c\nd') == float(2**64 - 1))

        try:
            ofams = families(parse_om, om)
            err = None
        except Exception as e:
            ofams, err = {}, e
        check("metrics: OpenMetrics form parses (strict parser)", not err,
              err)
        if ofams:
            check("metrics: OpenMetrics: build info, jitter, loss ratio",
                  ofams["twamp_build"].type == "info" and
                  sample(ofams, "twamp_sender_jitter_seconds",
                         "twamp_sender_jitter_seconds", direction="forward",
                         **SENDER) == 1e-6 and
                  sample(ofams, "twamp_sender_loss_ratio",
                         "twamp_sender_loss_ratio", **SENDER) == 0.05)
            check("metrics: OpenMetrics: unit of the RTT family",
                  ofams["twamp_sender_rtt_seconds"].unit == "seconds")
        bad = om.replace("# EOF\n", "")
        try:
            list(parse_om(bad))
            refused = False
        except Exception:
            refused = True
        check("metrics: the strict parser refuses a text without # EOF "
              "(it is checking)", refused)

    promtool = shutil.which("promtool")
    check("metrics: promtool installed (package prometheus, make deps)",
          promtool is not None)
    if promtool:
        # promtool reads the text format only (it has no OpenMetrics
        # parser); its lint checks names, units and suffixes.
        r = subprocess.run([promtool, "check", "metrics"], input=text,
                           capture_output=True, text=True)
        check("metrics: text form passes promtool check metrics",
              r.returncode == 0, r.stdout + r.stderr)

    print(f"1..{n}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
