package dev.bubblesandbox.server.mcp;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * {@code bubble_sandbox_mcp_tool_calls_total{tool, outcome}} and
 * {@code bubble_sandbox_mcp_tool_call_seconds{tool}}: how often each tool is called, how it ended
 * ({@code ok}, {@code tool_error}: the user's code failed, {@code protocol_error}: a JSON-RPC
 * error) and how long it took.
 */
final class ToolMeters {

  static final String OK = "ok";
  static final String TOOL_ERROR = "tool_error";
  static final String PROTOCOL_ERROR = "protocol_error";

  private final MeterRegistry registry;

  ToolMeters(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(String tool, String outcome, Duration took) {
    Counter.builder("bubble_sandbox_mcp_tool_calls")
        .description("MCP tool calls, by tool and outcome")
        .tags("tool", tool, "outcome", outcome)
        .register(registry).increment();
    Timer.builder("bubble_sandbox_mcp_tool_call")
        .description("Latency of MCP tool calls, by tool")
        .tags("tool", tool)
        .publishPercentileHistogram()
        .register(registry).record(took);
  }
}
