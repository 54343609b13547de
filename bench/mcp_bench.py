"""MCP against HTTP on one server (bench/mcp-bench.sh starts it): p50 and p90 of

- kernel:  run_python("1+1") on a kernel session through /mcp  vs  POST /v1/sessions/{id}/execute
- oneshot: run_python("print(1)") without a session            vs  POST /v1/execute

Both sides use one keep-alive httpx client and send the same script; the MCP side posts the
JSON-RPC tools/call and reads its JSON answer, as any Streamable HTTP client does. Rounds
alternate the two sides. A third row times the official Python SDK's call_tool (client
overhead included), for reference.
"""

import argparse
import asyncio
import statistics
import time

import httpx
import httpx2
from mcp import ClientSession
from mcp.client.streamable_http import streamable_http_client


def pct(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def row(name, values):
    return f"{name:<34} p50 {pct(values, 50) * 1000:7.2f} ms   p90 {pct(values, 90) * 1000:7.2f} ms"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("-n", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--environment", default="bare")
    args = parser.parse_args()
    http = httpx.Client(base_url=args.url, timeout=60)
    session = http.post("/v1/sessions", json={"environment": args.environment, "kernel": True}).json()["session_id"]
    init = http.post("/mcp", json={"jsonrpc": "2.0", "id": 0, "method": "initialize", "params": {
        "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}},
        headers={"Accept": "application/json, text/event-stream"})
    headers = {"Mcp-Session-Id": init.headers["Mcp-Session-Id"], "Accept": "application/json, text/event-stream"}
    http.post("/mcp", json={"jsonrpc": "2.0", "method": "notifications/initialized"}, headers=headers)
    ids = iter(range(1, 10 ** 9))

    def mcp(arguments):
        answer = http.post("/mcp", headers=headers, json={"jsonrpc": "2.0", "id": next(ids), "method": "tools/call",
                                                          "params": {"name": "run_python", "arguments": arguments}})
        assert answer.status_code == 200 and not answer.json()["result"]["isError"], answer.text

    def api(path, body):
        answer = http.post(path, json=body)
        assert answer.status_code == 200 and answer.json()["return_code"] == 0, answer.text

    cases = {
        "kernel": (lambda: mcp({"session_id": session, "code": "1+1"}),
                   lambda: api(f"/v1/sessions/{session}/execute", {"script": "1+1"})),
        "oneshot": (lambda: mcp({"code": "print(1)", "environment": args.environment}),
                    lambda: api("/v1/execute", {"script": "print(1)", "environment": args.environment})),
    }
    results = {}
    for name, (over_mcp, over_http) in cases.items():
        for _ in range(args.warmup):
            over_mcp()
            over_http()
        times = {"mcp": [], "http": []}
        for _ in range(args.n):
            for side, call in (("mcp", over_mcp), ("http", over_http)):
                started = time.perf_counter()
                call()
                times[side].append(time.perf_counter() - started)
        results[name] = times
        print(row(f"{name}: MCP tools/call", times["mcp"]))
        print(row(f"{name}: HTTP API", times["http"]))
        print(f"{name}: MCP p50 / HTTP p50 = {statistics.median(times['mcp']) / statistics.median(times['http']):.2f}")

    async def sdk():
        async with httpx2.AsyncClient() as client:
            async with streamable_http_client(args.url + "/mcp", http_client=client) as streams:
                async with ClientSession(streams[0], streams[1]) as mcp_session:
                    await mcp_session.initialize()
                    times = []
                    for index in range(args.warmup + args.n):
                        started = time.perf_counter()
                        await mcp_session.call_tool("run_python", {"session_id": session, "code": "1+1"})
                        if index >= args.warmup:
                            times.append(time.perf_counter() - started)
                    return times
    print(row("kernel: Python SDK call_tool", asyncio.run(sdk())))
    http.delete(f"/v1/sessions/{session}")


if __name__ == "__main__":
    main()
