"""Drives bubble-sandbox's MCP server with the official Python MCP SDK (the `mcp` package).

Used by McpIT (Streamable HTTP at /mcp) and McpStdioIT (`bubble-sandbox mcp` over stdio):

    mcp_checks.py --http URL [--key-env VAR] [--checks a,b]
    mcp_checks.py --stdio [--checks a,b] -- COMMAND ARG...

Prints one "ok NAME" line per check that holds and ends 0; the first that fails ends it 1 with
its reason. An environment with pandas and matplotlib must exist (--environment, data-science).
"""

import argparse
import asyncio
import base64
import contextlib
import os
import struct
import sys
import time
import zlib

import anyio
import httpx2
from mcp import ClientSession
from mcp.client.stdio import StdioServerParameters, stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError

LOGGED = []


async def on_log(params):
    LOGGED.append((time.monotonic(), params))


TOOLS = {"run_python", "run_shell", "create_session", "close_session", "list_environments",
         "list_files", "read_file", "write_file"}


@contextlib.asynccontextmanager
async def connect(args):
    if args.http:
        headers = {}
        if args.key_env and os.environ.get(args.key_env):
            headers["Authorization"] = "Bearer " + os.environ[args.key_env]
        async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(60, read=120)) as http:
            async with streamable_http_client(args.http, http_client=http) as streams:
                async with ClientSession(streams[0], streams[1], logging_callback=on_log) as session:
                    await session.initialize()
                    yield session
    else:
        params = StdioServerParameters(command=args.command[0], args=args.command[1:], env=dict(os.environ))
        async with stdio_client(params) as streams:
            async with ClientSession(streams[0], streams[1], logging_callback=on_log) as session:
                await session.initialize()
                yield session


def structured(result):
    return result.structured_content


def text_of(result):
    return "\n".join(c.text for c in result.content if c.type == "text")


def check(condition, message):
    if not condition:
        raise AssertionError(message)


async def call(session, tool, arguments, **kwargs):
    result = await session.call_tool(tool, arguments, **kwargs)
    check(result.content and any(c.type == "text" for c in result.content), f"{tool}: no text content")
    return result


def png_decodes(data):
    """A PNG's chunks, their CRCs and its image data's zlib stream, checked as a decoder would."""
    check(data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG signature")
    at, idat, width = 8, b"", 0
    while at < len(data):
        length, kind = struct.unpack(">I4s", data[at:at + 8])
        body = data[at + 8:at + 8 + length]
        crc, = struct.unpack(">I", data[at + 8 + length:at + 12 + length])
        check(zlib.crc32(kind + body) == crc, f"bad CRC in {kind}")
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        if kind == b"IDAT":
            idat += body
        at += 12 + length
        if kind == b"IEND":
            break
    check(width > 0 and len(zlib.decompress(idat)) > 0, "no image data")
    return width, height


async def tools(session, args):
    listed = (await session.list_tools()).tools
    names = {tool.name for tool in listed}
    check(names == TOOLS, f"tools: {sorted(names)}")
    for tool in listed:
        check(tool.input_schema.get("type") == "object", f"{tool.name}: input schema {tool.input_schema}")
        check(tool.output_schema and tool.output_schema.get("type") == "object", f"{tool.name}: no output schema")
    run = next(tool for tool in listed if tool.name == "run_python")
    check(run.input_schema["required"] == ["code"], "run_python requires code")
    check({"code", "session_id", "environment", "timeout_seconds"} <= set(run.input_schema["properties"]),
          "run_python's arguments")
    for field in ("stdout", "stderr", "return_code", "results", "error", "kernel", "timed_out", "limit"):
        check(field in run.output_schema["properties"], f"run_python's output lacks {field}")
    return f"{len(listed)} tools with input and output schemas"


async def kernel(session, args):
    made = structured(await call(session, "create_session", {"environment": args.environment}))
    check(made["kernel"] is True and made["environment"] == args.environment, f"create_session: {made}")
    sid = made["session_id"]
    first = await call(session, "run_python", {"session_id": sid,
                                               "code": "import pandas as pd; df = pd.DataFrame({'a': [1, 2, 3]})"})
    check(not first.is_error, text_of(first))
    check(structured(first)["kernel"] == "restarted", structured(first))
    second = await call(session, "run_python", {"session_id": sid, "code": "df.a.sum()"})
    # numpy 2 writes a scalar's repr as np.int64(6)
    check(not second.is_error and structured(second)["result_text"] in ("6", "np.int64(6)"), text_of(second))
    check(structured(second)["kernel"] == "preserved", structured(second))
    check("6" in text_of(second), text_of(second))
    plot = await call(session, "run_python", {"session_id": sid, "code":
                                              "import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()"})
    images = [c for c in plot.content if c.type == "image"]
    check(len(images) == 1 and images[0].mime_type == "image/png", f"plot: {plot.content}")
    width, height = png_decodes(base64.b64decode(images[0].data))
    failed = await call(session, "run_python", {"session_id": sid, "code": "1/0"})
    check(failed.is_error and "ZeroDivisionError" in text_of(failed) and "<cell>" in text_of(failed), text_of(failed))
    check(structured(failed)["error"]["name"] == "ZeroDivisionError", structured(failed))
    blob = bytes(range(256)) * 4
    written = structured(await call(session, "write_file", {"session_id": sid, "path": "data/blob.csv",
                                                            "content_base64": base64.b64encode(blob).decode()}))
    check(written["size"] == len(blob), written)
    await call(session, "write_file", {"session_id": sid, "path": "notes.txt", "content": "héllo\n"})
    read = structured(await call(session, "read_file", {"session_id": sid, "path": "data/blob.csv"}))
    check(base64.b64decode(read["content_base64"]) == blob and "content" not in read, "binary round trip")
    text = structured(await call(session, "read_file", {"session_id": sid, "path": "notes.txt"}))
    check(text["content"] == "héllo\n", text)
    listed = structured(await call(session, "list_files", {"session_id": sid}))
    paths = {entry["path"] for entry in listed["files"]}
    check({"data/blob.csv", "notes.txt"} <= paths, paths)
    under = structured(await call(session, "list_files", {"session_id": sid, "path": "data"}))
    check({entry["path"] for entry in under["files"]} == {"data/blob.csv"}, under)
    ls = structured(await call(session, "run_shell", {"session_id": sid, "command": "ls; ls data"}))
    check("notes.txt" in ls["stdout"] and "blob.csv" in ls["stdout"], ls)
    closed = structured(await call(session, "close_session", {"session_id": sid}))
    check(closed == {"session_id": sid, "closed": True}, closed)
    return f"pandas sum 6, a {width}x{height} PNG, files round-trip"


async def oneshot(session, args):
    result = await call(session, "run_python", {"code": "print(1)"})
    check(not result.is_error and structured(result)["stdout"] == "1\n", text_of(result))
    shell = await call(session, "run_shell", {"command": "exit 3"})
    check(shell.is_error and structured(shell)["return_code"] == 3, structured(shell))
    return "print(1) in a one-shot"


async def errors(session, args):
    for tool, arguments in (("no_such_tool", {}), ("run_python", {"cod": "1"}),
                            ("run_python", {"code": "1", "session_id": "no-such-session"}),
                            ("read_file", {"session_id": "no-such-session", "path": "x"})):
        try:
            await session.call_tool(tool, arguments)
        except MCPError as error:
            check(error.error.code == -32602, f"{tool}: {error.error}")
            continue
        raise AssertionError(f"{tool} {arguments}: no JSON-RPC error")
    return "unknown tool, bad arguments, unknown session: JSON-RPC errors"


async def cancel(session, args):
    sid = structured(await call(session, "create_session", {"environment": args.environment}))["session_id"]
    await call(session, "run_python", {"session_id": sid, "code": "kept = 41"})
    with anyio.move_on_after(1.5):
        await session.call_tool("run_python", {"session_id": sid, "code": "while True: pass"})
    cancelled = time.monotonic()
    while True:
        after = await session.call_tool("run_python", {"session_id": sid, "code": "kept + 1"})
        if not (after.is_error and "session_busy" in text_of(after)):
            break
        await anyio.sleep(0.02)
    took = time.monotonic() - cancelled
    check(not after.is_error and structured(after)["result_text"] == "42", text_of(after))
    check(took < 1.0, f"the kernel was free again only {took:.2f} s after the cancellation")
    await call(session, "close_session", {"session_id": sid})
    return f"interrupted within {took:.2f} s, state kept"


async def progress(session, args):
    seen = []

    async def on_progress(value, total, message):
        seen.append((time.monotonic(), message))

    result = await session.call_tool("run_python", {"code": "import time\nfor i in range(5):\n"
                                                            "    print('line', i, flush=True)\n    time.sleep(0.3)"},
                                     progress_callback=on_progress)
    ended = time.monotonic()
    check(not result.is_error, text_of(result))
    check(len(seen) >= 2, f"progress notifications: {seen}")
    # A print may come as several chunks; the first came well before the end.
    check(seen[0][0] < ended - 0.5, f"the first came at the end: {seen}")
    check("line 0" in "".join(message for _, message in seen[:4]), f"progress messages: {seen}")
    return f"{len(seen)} progress notifications while it ran"


async def logging(session, args):
    await session.set_logging_level("debug")
    LOGGED.clear()
    result = await session.call_tool("run_python", {"code": "import time, sys\nfor i in range(4):\n"
                                                            "    print('row', i, flush=True)\n    time.sleep(0.3)\n"
                                                            "print('oops', file=sys.stderr)"})
    ended = time.monotonic()
    await session.set_logging_level("info")
    check(not result.is_error, text_of(result))
    streams = {params.logger for _, params in LOGGED}
    check({"stdout", "stderr"} <= streams, f"log messages: {LOGGED}")
    check(LOGGED[0][0] < ended - 0.5, f"the first log message came at the end: {LOGGED}")
    check("row 0" in "".join(str(params.data) for _, params in LOGGED[:4]), f"log messages: {LOGGED}")
    return f"{len(LOGGED)} log messages (stdout, stderr) while it ran"


async def large(session, args):
    """Needs a server with max_inline_result_bytes well under 200 kB (and above a plot's PNG)."""
    sid = structured(await call(session, "create_session", {"environment": args.environment}))["session_id"]
    result = await call(session, "run_python", {"session_id": sid, "code": "'x' * 200000"})
    links = [c for c in result.content if c.type == "resource_link"]
    check(not result.is_error and len(links) == 1, f"large result: {result.content}")
    check(links[0].uri.startswith(f"sandbox://{sid}/.results/"), links[0].uri)
    path = links[0].uri[len(f"sandbox://{sid}/"):]
    read = structured(await call(session, "read_file", {"session_id": sid, "path": path}))
    check(read["content"].startswith("'xxxx") and read["size"] >= 200000, f"{path}: {str(read)[:200]}")
    await call(session, "close_session", {"session_id": sid})
    return f"a 200 kB result as a resource link to {path}, read back"


async def isolation(session, args):
    async with connect(args) as other:
        a = structured(await call(session, "create_session", {"environment": args.environment}))["session_id"]
        b = structured(await call(other, "create_session", {"environment": args.environment}))["session_id"]
        await call(session, "run_python", {"session_id": a, "code": "secret = 'a'\nopen('mine.txt', 'w').write('a')"})
        files = structured(await call(other, "list_files", {"session_id": b}))["files"]
        check(all(entry["path"] != "mine.txt" for entry in files), files)
        seen = await call(other, "run_python", {"session_id": b, "code": "secret"})
        check(seen.is_error and structured(seen)["error"]["name"] == "NameError", text_of(seen))
        look = structured(await call(other, "run_shell", {"session_id": b, "command": "ls -a; ls / /sandbox"}))
        check("mine.txt" not in look["stdout"], look)
        await call(session, "close_session", {"session_id": a})
        await call(other, "close_session", {"session_id": b})
    return "two MCP sessions see neither files nor variables of the other"


async def hostile(session, args):
    outcomes = {}
    for name, code in (("fork bomb", "import os\nwhile True:\n    os.fork()"),
                       ("memory hog", "x = []\nwhile True:\n    x.append(bytearray(16 << 20))"),
                       ("output flood", "while True:\n    print('x' * 10000)")):
        result = await call(session, "run_python", {"code": code, "timeout_seconds": 10})
        fields = structured(result)
        check(result.is_error and (fields["limit"] or fields["timed_out"] or fields.get("truncated")), f"{name}: {fields}")
        outcomes[name] = fields["limit"] or ("timed out" if fields["timed_out"] else "truncated")
    alive = await call(session, "run_python", {"code": "print(2 + 2)"})
    check(structured(alive)["stdout"] == "4\n", text_of(alive))
    return ", ".join(f"{name}: {limit}" for name, limit in outcomes.items()) + "; still serving"


CHECKS = {"tools": tools, "kernel": kernel, "oneshot": oneshot, "errors": errors, "cancel": cancel,
          "progress": progress, "logging": logging, "large": large, "isolation": isolation, "hostile": hostile}


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--http")
    parser.add_argument("--key-env")
    parser.add_argument("--stdio", action="store_true")
    parser.add_argument("--environment", default="data-science")
    parser.add_argument("--checks", default=",".join(CHECKS))
    parser.add_argument("command", nargs="*")
    args = parser.parse_args()
    failed = False
    async with connect(args) as session:
        for name in args.checks.split(","):
            try:
                said = await CHECKS[name](session, args)
            except Exception as failure:
                print(f"FAIL {name}: {type(failure).__name__}: {failure}", flush=True)
                failed = True
                break
            print(f"ok {name}: {said}", flush=True)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    asyncio.run(main())
