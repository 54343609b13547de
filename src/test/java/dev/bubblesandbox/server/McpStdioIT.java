package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code bubble-sandbox mcp} (SPEC §12), the stdio transport, started as an agent starts it: by
 * the official Python MCP SDK, with local sandboxes and as a bridge to a server ({@code --url},
 * the key from an environment variable); and stdout carrying JSON-RPC only.
 */
class McpStdioIT {

  private static final String KEY = "mcp-stdio-it-key-0123456789abcdef";

  @RegisterExtension
  /** Results over 64 kB are files: a plot's PNG stays inline, a 200 kB value becomes a resource link. */
  static final TestServer server = TestServer.perClass(Map.of("api_key", KEY, "max_inline_result_bytes", 65_536));

  @Test
  @DisplayName("Local sandboxes: the Python MCP SDK over stdio runs every tool, a kernel, cancellation, progress")
  void local() throws Exception {
    McpClients.runChecks(List.of("--stdio", "--", "java", "-jar", McpClients.JAR.toString(), "mcp"), Map.of(),
        "tools", "kernel", "oneshot", "errors", "cancel", "progress", "isolation");
  }

  @Test
  @DisplayName("--url: the Python MCP SDK over stdio, bridged to a server whose key comes from --api-key-env")
  void bridged() throws Exception {
    McpClients.runChecks(List.of("--stdio", "--", "java", "-jar", McpClients.JAR.toString(), "mcp",
        "--url", "http://127.0.0.1:" + server.server.port(), "--api-key-env", "MCP_STDIO_KEY"),
        Map.of("MCP_STDIO_KEY", KEY), "tools", "kernel", "errors", "cancel", "progress", "logging", "large");
  }

  @Test
  @DisplayName("stdout carries JSON-RPC messages only; the log lines go to stderr")
  void stdoutIsProtocolOnly() throws Exception {
    Path stdout = Files.createTempFile("bubble-sandbox-mcp-out-", ".txt");
    Path stderr = Files.createTempFile("bubble-sandbox-mcp-err-", ".txt");
    try {
      Process process = new ProcessBuilder("java", "-jar", McpClients.JAR.toString(), "mcp")
          .redirectOutput(stdout.toFile()).redirectError(stderr.toFile()).start();
      try (OutputStream in = process.getOutputStream()) {
        in.write(("""
            {"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"it","version":"1"}}}
            {"jsonrpc":"2.0","method":"notifications/initialized"}
            {"jsonrpc":"2.0","id":2,"method":"tools/list"}
            {"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"run_shell","arguments":{"command":"echo from-the-sandbox"}}}
            """).getBytes(StandardCharsets.UTF_8));
      }
      assertThat(process.waitFor(2, TimeUnit.MINUTES)).isTrue();
      assertThat(process.exitValue()).isZero();
      List<String> lines = Files.readAllLines(stdout, StandardCharsets.UTF_8);
      assertThat(lines).hasSize(3);
      for (String line : lines) {
        JsonNode message = TestServer.JSON.readTree(line);
        assertThat(message.get("jsonrpc").asText()).isEqualTo("2.0");
      }
      assertThat(lines.get(2)).contains("from-the-sandbox");
      assertThat(Files.readString(stderr)).contains("\"message\":\"server started\"");
    } finally {
      Files.deleteIfExists(stdout);
      Files.deleteIfExists(stderr);
    }
  }
}
