package dev.bubblesandbox.server.mcp;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The tool calls that can be cancelled, by MCP session and JSON-RPC request id: a call registers
 * how to stop itself while it runs, and {@code notifications/cancelled} runs that (MCP
 * cancellation: the request's id is named in the notification). The SDK has no hook for that
 * notification, so the transport delivers it here.
 */
final class Cancellations {

  private final Map<String, Runnable> running = new ConcurrentHashMap<>();

  /** Registers {@code cancel}; the returned handle removes it when the call ends. */
  AutoCloseable register(String mcpSession, Object requestId, Runnable cancel) {
    String key = key(mcpSession, requestId);
    running.put(key, cancel);
    return () -> running.remove(key, cancel);
  }

  /** Stops the call, when it still runs; a late or unknown cancellation does nothing (as MCP says). */
  void cancel(String mcpSession, Object requestId) {
    Runnable cancel = running.remove(key(mcpSession, requestId));
    if (cancel != null) {
      cancel.run();
    }
  }

  /** Number and string ids are different ids in JSON-RPC; 1 and 1.0 are the same number. */
  private static String key(String mcpSession, Object requestId) {
    String id = requestId instanceof Number number ? "n:" + new java.math.BigDecimal(number.toString())
        .stripTrailingZeros().toPlainString() : "s:" + requestId;
    return mcpSession + "\u0000" + id;
  }
}
