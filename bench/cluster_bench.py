#!/usr/bin/env python3
"""Cluster benchmarks, run by bench/cluster-bench.sh (see there for usage).

forward: two nodes on 127.0.0.1 (Hazelcast TCP/IP join) with a cluster secret, TLS between the
    nodes and an API key, one session on node A; the same execution (print(1)) sent alternately
    through A (the owner) and through B (forwarded to A), on kept-alive connections; p50/p90 of
    each and the ratio non-owner / owner. With --baseline JAR, two more nodes of that build
    (configured as it knows: no secret, no TLS, no key) run beside them, requests alternated over
    all four, and the forwarded p50 of this build is also given against the baseline's.
single: cluster_enabled=false, this build against a baseline jar: start-up time (launch to
    /health/live answering), starts alternated; then one-shot print(1) p50 with both servers up,
    requests alternated between them so that both see the same machine load.
"""
import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Node:
    def __init__(self, jar, workdir, name, env, key=None):
        self.port = free_port()
        self.key = key
        self.workspace = os.path.join(workdir, name)
        os.makedirs(self.workspace, mode=0o711, exist_ok=True)
        os.chmod(self.workspace, 0o711)
        self.log = open(os.path.join(workdir, name + ".log"), "wb")
        environment = {k: v for k, v in os.environ.items() if not k.startswith("BUBBLE_SANDBOX_")}
        environment.update({"BUBBLE_SANDBOX_WORKSPACE_DIR": self.workspace,
                            "BUBBLE_SANDBOX_HTTP_PORT": str(self.port),
                            "BUBBLE_SANDBOX_ENVIRONMENTS_DIR": os.path.abspath("environments"),
                            "BUBBLE_SANDBOX_LOG_LEVEL": "WARN"})
        environment.update(env)
        self.started = time.monotonic()
        # Run from the work directory (the jars are temporary copies): a build that looks for
        # conf/config.yaml in the working directory finds none, one that looks beside its jar
        # finds none either; every setting comes from the variables above.
        self.process = subprocess.Popen(["java", "-jar", jar, "serve"], env=environment, cwd=workdir,
                                        stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.connection = None

    def wait_live(self, timeout=180):
        """Seconds from launch until /health/live answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"node on port {self.port} exited; see {self.log.name}")
            try:
                c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                c.request("GET", "/health/live")
                if c.getresponse().status == 200:
                    c.close()
                    return time.monotonic() - self.started
            except OSError:
                pass
            time.sleep(0.02)
        raise SystemExit(f"node on port {self.port} did not start; see {self.log.name}")

    def request(self, method, path, body=None):
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        headers = {"Content-Type": "application/json"} if body is not None else {}
        if self.key:
            headers["Authorization"] = "Bearer " + self.key
        self.connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = self.connection.getresponse()
        return response.status, response.read()

    def stop(self):
        if self.connection is not None:
            self.connection.close()
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()


def timed(node, method, path, body):
    start = time.perf_counter()
    status, answer = node.request(method, path, body)
    elapsed = (time.perf_counter() - start) * 1000
    if status != 200:
        raise SystemExit(f"{method} {path} on port {node.port}: {status} {answer[:200]!r}")
    return elapsed


def summary(name, samples):
    samples = sorted(samples)
    p50 = statistics.median(samples)
    p90 = samples[int(len(samples) * 0.9) - 1]
    print(f"  {name:<28} p50 {p50:7.1f} ms   p90 {p90:7.1f} ms   (n={len(samples)})")
    return p50


def unmount_under(directory):
    with open("/proc/self/mounts") as mounts:
        points = [line.split()[1] for line in mounts if line.split()[1].startswith(directory + "/")]
    for point in points:
        subprocess.run(["umount", "--lazy", point], check=False)


def start_pair(jar, workdir, label, secure, nodes):
    """Two nodes of one cluster; appended to nodes (for stopping) as they start. (owner, other)."""
    members = [free_port(), free_port()]
    cluster = {"BUBBLE_SANDBOX_CLUSTER_ENABLED": "true", "BUBBLE_SANDBOX_CLUSTER_NAME": f"bench-{label}-{os.getpid()}",
               "BUBBLE_SANDBOX_CLUSTER_MEMBERS": ",".join(f"127.0.0.1:{p}" for p in members)}
    key = None
    if secure:
        tls = os.path.join(workdir, f"{label}-tls")
        subprocess.run(["java", "-jar", jar, "cluster-certs", "--out", tls], check=True, stdout=subprocess.DEVNULL)
        key = os.urandom(16).hex()
        cluster.update({"BUBBLE_SANDBOX_CLUSTER_SECRET": os.urandom(24).hex(), "BUBBLE_SANDBOX_CLUSTER_TLS_DIR": tls,
                        "BUBBLE_SANDBOX_API_KEY": key})
    pair = []
    for index, port in enumerate(members):
        env = dict(cluster, BUBBLE_SANDBOX_CLUSTER_PORT=str(port))
        if secure:
            env.update({"BUBBLE_SANDBOX_CLUSTER_BUS_PORT": str(free_port()),
                        "BUBBLE_SANDBOX_CLUSTER_HTTP_PORT": str(free_port())})
        node = Node(jar, workdir, f"{label}-node{index + 1}", env, key)
        nodes.append(node)
        pair.append(node)
        print(f"{label}: node {index + 1} up after {node.wait_live():.1f} s")
    owner, other = pair
    deadline = time.monotonic() + 60
    while json.loads(owner.request("GET", "/v1/info")[1])["cluster"]["nodes"] != 2:
        if time.monotonic() > deadline:
            raise SystemExit(f"{label}: the two nodes did not form one cluster")
        time.sleep(0.2)
    status, created = owner.request("POST", "/v1/sessions", {"session_id": "bench"})
    assert status == 201, created
    return owner, other


def forward(args, workdir):
    nodes = []
    try:
        sides = {"this build": start_pair(args.jar, workdir, "this", True, nodes)}
        if args.baseline:
            sides["baseline"] = start_pair(args.baseline, workdir, "baseline", False, nodes)
        path, body = "/v1/sessions/bench/execute", {"script": "print(1)"}
        for _ in range(args.warmup):
            for owner, other in sides.values():
                timed(owner, "POST", path, body)
                timed(other, "POST", path, body)
        samples = {name: ([], []) for name in sides}
        for _ in range(args.n):
            for name, (owner, other) in sides.items():
                samples[name][0].append(timed(owner, "POST", path, body))
                samples[name][1].append(timed(other, "POST", path, body))
        forwarded_p50 = {}
        for name, (direct, forwarded) in samples.items():
            print(f"{name}: session execution print(1), alternated:")
            p50_direct = summary("through the owner", direct)
            forwarded_p50[name] = summary("through the other node", forwarded)
            print(f"  ratio p50 other/owner: {forwarded_p50[name] / p50_direct:.2f}x (target <= 1.2x)")
        if args.baseline:
            print(f"forwarded p50, this build (secret, TLS, hop tokens) / baseline: "
                  f"{forwarded_p50['this build'] / forwarded_p50['baseline']:.2f}x (target <= 1.2x)")
    finally:
        for node in nodes:
            node.stop()


def single(args, workdir):
    builds = {"baseline": args.baseline, "this build": args.jar}
    starts = {name: [] for name in builds}
    for round_ in range(args.starts):
        for name, jar in builds.items():
            node = Node(jar, workdir, f"start-{name.replace(' ', '-')}-{round_}", {})
            try:
                starts[name].append(node.wait_live())
            finally:
                node.stop()
                unmount_under(node.workspace)
    print(f"start-up, launch to /health/live, cluster_enabled=false, alternated (n={args.starts}):")
    for name, samples in starts.items():
        print(f"  {name:<12} median {statistics.median(samples):.2f} s   all: "
              + ", ".join(f"{s:.2f}" for s in samples))
    servers = {name: Node(jar, workdir, f"oneshot-{name.replace(' ', '-')}", {}) for name, jar in builds.items()}
    try:
        for node in servers.values():
            node.wait_live()
        body = {"environment": "bare", "script": "print(1)"}
        for _ in range(args.warmup):
            for node in servers.values():
                timed(node, "POST", "/v1/execute", body)
        samples = {name: [] for name in servers}
        for _ in range(args.n):
            for name, node in servers.items():
                samples[name].append(timed(node, "POST", "/v1/execute", body))
        print("one-shot print(1), both servers up, alternated:")
        p50 = {name: summary(name, values) for name, values in samples.items()}
        print(f"  ratio p50 this build/baseline: {p50['this build'] / p50['baseline']:.2f}x")
    finally:
        for node in servers.values():
            node.stop()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("mode", choices=["forward", "single"])
    parser.add_argument("--jar", required=True)
    parser.add_argument("--baseline", help="the jar to compare with (single; optional for forward)")
    parser.add_argument("-n", type=int, default=200, help="measured requests per side")
    parser.add_argument("--warmup", type=int, default=30)
    parser.add_argument("--starts", type=int, default=5, help="start-ups per jar (single)")
    args = parser.parse_args()
    if args.mode == "single" and not args.baseline:
        parser.error("single needs --baseline JAR")
    workdir = tempfile.mkdtemp(prefix="bubble-sandbox-cluster-bench-")
    os.chmod(workdir, 0o711)
    try:
        (forward if args.mode == "forward" else single)(args, workdir)
    finally:
        unmount_under(workdir)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
