#!/usr/bin/env python3
"""Kernel session benchmark, run by bench/kernel-bench.sh (see there for usage).

One bubble-sandbox server (this build, 127.0.0.1, a temporary workspace) and one Jupyter Server
with ipykernel (127.0.0.1, a token), both up for the whole run, driven by this one client (plain
http.client and websocket-client, kept-alive connections), requests alternated between them so
that both see the same machine load:

- round trip of `x + 1` in a warm kernel (after `x = 41`): over bubble-sandbox's WebSocket
  console (execute -> exit frame, the result frame before it), over its HTTP API (POST
  /v1/sessions/{id}/execute -> 200), and over Jupyter's kernel WebSocket (execute_request on
  /api/kernels/{id}/channels -> both its execute_reply and its execute_result), by a plain client
  and by one that acknowledges each read at once (TCP_QUICKACK; see JupyterKernel.execute);
- kernel session creation to first result (POST /v1/sessions {"kernel": true}, then `6*7`, until
  its answer) against a warm one-shot (POST /v1/execute `6*7`), alternated;
- an idle kernel's memory: its group's usage (memory.usage_in_bytes of cgroup v1, memory.current
  of v2), found from the runner's process, for `bare` and `data-science`.
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
import uuid

import websocket  # websocket-client, installed with jupyter-server

RUNNER_MARK = b"The Python of a kernel session"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(port, path, process, log, headers=None, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"server on port {port} exited; see {log}")
        try:
            c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            c.request("GET", path, headers=headers or {})
            if c.getresponse().status == 200:
                c.close()
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise SystemExit(f"server on port {port} did not start; see {log}")


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


class Bubble:
    """This build's server."""

    def __init__(self, jar, workdir, name="bubble"):
        self.port = free_port()
        self.workspace = os.path.join(workdir, name)
        os.makedirs(self.workspace, mode=0o711)
        os.chmod(self.workspace, 0o711)
        self.log = os.path.join(workdir, name + ".log")
        environment = {k: v for k, v in os.environ.items() if not k.startswith("BUBBLE_SANDBOX_")}
        environment.update({"BUBBLE_SANDBOX_WORKSPACE_DIR": self.workspace,
                            "BUBBLE_SANDBOX_HTTP_PORT": str(self.port),
                            "BUBBLE_SANDBOX_ENVIRONMENTS_DIR": os.path.abspath("environments"),
                            "BUBBLE_SANDBOX_LOG_LEVEL": "WARN"})
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(["java", "-jar", jar, "serve"], env=environment, cwd=workdir,
                                            stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        wait_http(self.port, "/health/ready", self.process, self.log)
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def request(self, method, path, body=None, expect=(200, 201, 204)):
        headers = {"Content-Type": "application/json"} if body is not None else {}
        self.connection.request(method, path, body=None if body is None else json.dumps(body), headers=headers)
        response = self.connection.getresponse()
        answer = response.read()
        if response.status not in expect:
            raise SystemExit(f"{method} {path}: {response.status} {answer[:300]!r}")
        return json.loads(answer) if answer else None

    def create_kernel(self, environment="bare"):
        return self.request("POST", "/v1/sessions", {"environment": environment, "kernel": True})["session_id"]

    def execute(self, session, script):
        answer = self.request("POST", f"/v1/sessions/{session}/execute", {"script": script})
        check_result(answer, script)
        return answer

    def one_shot(self, script):
        answer = self.request("POST", "/v1/execute", {"script": script})
        if answer.get("return_code") != 0:
            raise SystemExit(f"one-shot {script!r}: {answer}")
        return answer

    def delete(self, session):
        self.request("DELETE", f"/v1/sessions/{session}?clear_data=true")

    def console(self, session):
        return BubbleConsole(websocket.create_connection(
            f"ws://127.0.0.1:{self.port}/v1/sessions/{session}/console", subprotocols=["bubble-sandbox"]))


def check_result(answer, script):
    mains = [r for r in answer.get("results", []) if r.get("is_main_result")]
    if answer.get("error") is not None or (script == "x + 1" and mains[0]["text/plain"] != "42"):
        raise SystemExit(f"{script!r}: {answer}")


class BubbleConsole:
    def __init__(self, ws):
        self.ws = ws
        self.count = 0

    def execute(self, script):
        self.count += 1
        ident = f"b{self.count}"
        self.ws.send(json.dumps({"type": "execute", "id": ident, "script": script}))
        result = None
        while True:
            frame = json.loads(self.ws.recv())
            if frame.get("type") == "result":
                result = frame["data"]["text/plain"]
            elif frame.get("type") == "exit":
                if frame.get("error") is not None or (script == "x + 1" and result != "42"):
                    raise SystemExit(f"console {script!r}: {frame} (result {result})")
                return
            elif frame.get("type") == "error":
                raise SystemExit(f"console {script!r}: {frame}")


class Jupyter:
    """Jupyter Server with ipykernel, from the bench venv."""

    def __init__(self, venv, workdir):
        self.port = free_port()
        self.token = uuid.uuid4().hex
        root = os.path.join(workdir, "jupyter")
        os.makedirs(root)
        self.log = os.path.join(workdir, "jupyter.log")
        environment = dict(os.environ, JUPYTER_CONFIG_DIR=os.path.join(root, ".config"),
                           JUPYTER_RUNTIME_DIR=os.path.join(root, ".runtime"),
                           JUPYTER_DATA_DIR=os.path.join(venv, "share", "jupyter"), IPYTHONDIR=os.path.join(root, ".ipython"))
        with open(self.log, "wb") as out:
            self.process = subprocess.Popen(
                [os.path.join(venv, "bin", "jupyter"), "server", "--ip=127.0.0.1", f"--port={self.port}",
                 "--no-browser", "--allow-root", f"--ServerApp.root_dir={root}",
                 f"--IdentityProvider.token={self.token}"],
                env=environment, cwd=root, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.headers = {"Authorization": "token " + self.token}
        wait_http(self.port, "/api/status", self.process, self.log, self.headers)
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)

    def start_kernel(self):
        self.connection.request("POST", "/api/kernels", body=json.dumps({"name": "python3"}),
                                headers=dict(self.headers, **{"Content-Type": "application/json"}))
        response = self.connection.getresponse()
        answer = json.loads(response.read())
        if response.status != 201:
            raise SystemExit(f"jupyter kernel: {response.status} {answer}")
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{self.port}/api/kernels/{answer['id']}/channels?token={self.token}")
        return JupyterKernel(ws)


class JupyterKernel:
    def __init__(self, ws):
        self.ws = ws
        self.session = uuid.uuid4().hex

    def execute(self, code, quickack=False):
        """Sends an execute_request; returns once its execute_reply and (for an expression) its
        execute_result have both come. With quickack, the client's socket acknowledges each read
        at once (TCP_QUICKACK) instead of delaying its ACK: Jupyter Server writes its messages
        without TCP_NODELAY, so its second message waits for the ACK of the first, which a
        client's delayed ACK holds up to 40 ms."""
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": "bench", "session": self.session, "msg_type": "execute_request",
                       "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
            "content": {"code": code, "silent": False, "store_history": True, "user_expressions": {},
                        "allow_stdin": False, "stop_on_error": True}}))
        replied = False
        result = None if code == "x + 1" else "none expected"
        while not (replied and result is not None):
            message = json.loads(self.ws.recv())
            if quickack:
                self.ws.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
            if message.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = message["msg_type"]
            if kind == "execute_reply":
                if message["content"]["status"] != "ok":
                    raise SystemExit(f"jupyter {code!r}: {message['content']}")
                replied = True
            elif kind == "execute_result":
                result = message["content"]["data"]["text/plain"]
        if code == "x + 1" and result != "42":
            raise SystemExit(f"jupyter {code!r}: {result}")


def timed(action):
    start = time.perf_counter()
    action()
    return (time.perf_counter() - start) * 1000


def p50(samples):
    return statistics.median(samples)


def line(name, samples):
    ordered = sorted(samples)
    p90 = ordered[max(0, int(len(ordered) * 0.9) - 1)]
    print(f"  {name:<44} p50 {p50(samples):8.2f} ms   p90 {p90:8.2f} ms   (n={len(samples)})")
    return p50(samples)


def kernel_memory():
    """By group: the memory usage now (bytes) of each group a kernel's runner is in."""
    found = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                if RUNNER_MARK not in f.read():
                    continue
            with open(f"/proc/{pid}/cgroup") as f:
                groups = [l.strip().split(":", 2) for l in f]
        except OSError:
            continue
        for _, controllers, path in groups:
            if "memory" in controllers.split(","):
                file = f"/sys/fs/cgroup/memory{path}/memory.usage_in_bytes"
            elif controllers == "":
                file = f"/sys/fs/cgroup{path}/memory.current"
            else:
                continue
            try:
                with open(file) as f:
                    found[file] = int(f.read())  # bwrap and the runner: one group
                break
            except OSError:
                continue
    return found


def idle_memory(bubble, environment, script):
    before = set(kernel_memory())
    session = bubble.create_kernel(environment)
    try:
        bubble.execute(session, script)
        time.sleep(1)
        mine = {group: used for group, used in kernel_memory().items() if group not in before}
        if len(mine) != 1:
            raise SystemExit(f"cannot tell the {environment} kernel's group: {mine}")
        return next(iter(mine.values()))
    finally:
        bubble.delete(session)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jar", required=True)
    parser.add_argument("--venv", required=True, help="a venv with jupyter-server and ipykernel")
    parser.add_argument("-n", type=int, default=300, help="round trips of each kind")
    parser.add_argument("--creates", type=int, default=40, help="kernel sessions created (and one-shots)")
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--baseline", help="another build's jar: its kernel session creation to first result "
                        "beside this one's, alternated")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="kernel-bench-")
    os.chmod(workdir, 0o711)
    bubble = jupyter = baseline = None
    try:
        bubble = Bubble(args.jar, workdir)
        if args.baseline:
            baseline = Bubble(args.baseline, workdir, "baseline")
        jupyter = Jupyter(args.venv, workdir)
        print(f"bubble-sandbox on port {bubble.port}, Jupyter Server on port {jupyter.port}; work dir {workdir}")

        session = bubble.create_kernel()
        bubble.execute(session, "x = 41")
        console = bubble.console(session)
        kernel = jupyter.start_kernel()
        kernel.execute("x = 41")
        for _ in range(args.warmup):
            console.execute("x + 1")
            bubble.execute(session, "x + 1")
            kernel.execute("x + 1")
            kernel.execute("x + 1", quickack=True)
        ws, http_, jup, jup_quick = [], [], [], []
        for _ in range(args.n):
            ws.append(timed(lambda: console.execute("x + 1")))
            http_.append(timed(lambda: bubble.execute(session, "x + 1")))
            jup.append(timed(lambda: kernel.execute("x + 1")))
            jup_quick.append(timed(lambda: kernel.execute("x + 1", quickack=True)))
        print("warm kernel round trip of `x + 1`:")
        ws50 = line("bubble-sandbox, WebSocket console", ws)
        http50 = line("bubble-sandbox, HTTP", http_)
        jup50 = line("Jupyter Server + ipykernel, kernel WebSocket", jup)
        quick50 = line("the same, client with TCP_QUICKACK", jup_quick)
        print(f"  ratio WebSocket / Jupyter {ws50 / jup50:.3f}x, HTTP / Jupyter {http50 / jup50:.3f}x"
              f"   (targets: WebSocket <= 5 ms, HTTP <= 6 ms, <= 0.1x)")
        print(f"  against Jupyter with TCP_QUICKACK: WebSocket {ws50 / quick50:.2f}x, HTTP {http50 / quick50:.2f}x")
        console.ws.close()
        bubble.delete(session)

        servers = [bubble] + ([baseline] if baseline else [])
        for server in servers:
            for _ in range(3):  # the first kernel session and one-shots of the run pay for class loading
                server.one_shot("6*7")
                warm = server.create_kernel()
                server.execute(warm, "6*7")
                server.delete(warm)
        creates, shots, base_creates, alone, ready = [], [], [], [], []
        for _ in range(args.creates):
            time.sleep(0.3)  # the warm pool refills, the last kernel's end is over
            shots.append(timed(lambda: bubble.one_shot("6*7")))
            for server, samples in ((bubble, creates), (baseline, base_creates)):
                if server is None:
                    continue
                time.sleep(0.3)
                made = []

                def create_and_run():
                    created = server.create_kernel()
                    made.append((created, server.execute(created, "6*7")))

                samples.append(timed(create_and_run))
                server.delete(made[0][0])
                if made[0][1]["kernel"] != "restarted":
                    raise SystemExit(f"first execution of a kernel session: {made[0][1]}")
            # The parts: the creation alone, and the first execution once the kernel is ready.
            time.sleep(0.3)
            made = []
            alone.append(timed(lambda: made.append(bubble.create_kernel())))
            time.sleep(1)
            ready.append(timed(lambda: bubble.execute(made[0], "6*7")))
            bubble.delete(made[0])
        print("kernel session creation to first result (`6*7`) against a warm one-shot:")
        c50 = line("create kernel session + first execute", creates)
        s50 = line("warm one-shot", shots)
        print(f"  ratio {c50 / s50:.2f}x   (target <= 2x)")
        line("  of which: the create alone", alone)
        line("  the first execute, 1 s after the create", ready)
        if baseline:
            b50 = line("baseline build: create + first execute", base_creates)
            print(f"  this build / baseline {c50 / b50:.2f}x")

        print("an idle kernel's memory (its group's usage, a second after the execution):")
        for environment, script in (("bare", "x = 1"), ("data-science", "x = 1"),
                                    ("data-science", "import pandas, matplotlib.pyplot")):
            used = idle_memory(bubble, environment, script)
            print(f"  {environment:<14} after {script!r:<36} {used / 2**20:7.1f} MiB")
    finally:
        for server in (jupyter, bubble, baseline):
            if server is not None:
                stop(server.process)
        subprocess.run(["sh", "-c", f"grep ' {workdir}/' /proc/self/mounts | cut -d' ' -f2 | xargs -r umount -l"],
                       check=False)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
