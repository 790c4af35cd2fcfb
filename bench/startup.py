#!/usr/bin/env python3
"""Start-up time to the first successful GET /readyz, and idle resident memory.

For each binary, `--runs` times: start it on a free loopback port, poll /readyz over a raw socket
as fast as possible (a refused connection returns at once), and record the time from just before
the process is spawned to the first 200. Half a second later its VmRSS is read; then it gets
SIGTERM. Prints the median, p90 and min of each.

usage: startup.py [--runs N] EMULATOR [REFERENCE]
"""
import argparse
import os
import socket
import statistics
import subprocess
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ready(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
            s.sendall(b"GET /readyz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            return s.recv(12).startswith(b"HTTP/1.1 200")
    except OSError:
        return False


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def one(binary, emulator):
    port = free_port()
    address = f"127.0.0.1:{port}"
    args = [binary, "--listen", address] if emulator else [binary, address]
    env = dict(os.environ, RUST_LOG="warn")
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    try:
        deadline = started + 5
        while not ready(port):
            if time.perf_counter() > deadline or process.poll() is not None:
                raise SystemExit(f"{binary} did not become ready")
        elapsed = time.perf_counter() - started
        time.sleep(0.5)
        return elapsed * 1000, rss_kib(process.pid)
    finally:
        process.terminate()
        process.wait(timeout=5)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("emulator")
    parser.add_argument("reference", nargs="?")
    options = parser.parse_args()
    sides = [("emulator", options.emulator, True)]
    if options.reference:
        sides.append(("reference", options.reference, False))
    results = {name: [] for name, _, _ in sides}
    for _ in range(options.runs):  # alternate, so that noise hits both
        for name, binary, emulator in sides:
            results[name].append(one(binary, emulator))
    for name, rows in results.items():
        times = sorted(ms for ms, _ in rows)
        rss = [kib for _, kib in rows]
        print(f"{name}: start-up to first /readyz 200: median {statistics.median(times):.1f} ms, "
              f"p90 {times[int(len(times) * 0.9) - 1]:.1f} ms, min {times[0]:.1f} ms "
              f"({len(times)} runs); idle VmRSS median {statistics.median(rss) / 1024:.1f} MiB")


main()
