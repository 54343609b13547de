package dev.bubblesandbox.server.mcp;

import static org.assertj.core.api.Assertions.assertThat;

import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The pure parts of the MCP tools: answers, refusals, cancellation keys, paths, the key kept out of strings. */
class ToolResultsTest {

  @Test
  @DisplayName("A kernel result: the main result's text, the PNG as image content (its bytes once), a file as a resource link")
  void execution() {
    String png = Base64.getEncoder().encodeToString(new byte[] {(byte) 0x89, 'P', 'N', 'G'});
    Map<String, Object> result = Map.of("stdout", "hi\n", "stderr", "", "return_code", 0, "error", "none",
        "results", List.of(
            Map.of("image/png", png, "text/plain", "<Figure>", "is_main_result", false),
            Map.of("text/html", Map.of("file", ".results/3-1.html", "mime", "text/html", "bytes", 5_000_000),
                "is_main_result", false),
            Map.of("text/plain", "6", "is_main_result", true)));
    Map<String, Object> ok = new java.util.HashMap<>(result);
    ok.put("error", null);
    CallToolResult answer = ToolResults.execution(ok, "S1");
    assertThat(answer.isError()).isFalse();
    @SuppressWarnings("unchecked")
    Map<String, Object> structured = (Map<String, Object>) answer.structuredContent();
    assertThat(structured).containsEntry("result_text", "6").containsEntry("stdout", "hi\n");
    assertThat(structured.get("results").toString()).doesNotContain(png).contains("bytes=4");
    assertThat(answer.content()).hasSize(3);
    assertThat(((McpSchema.TextContent) answer.content().get(0)).text()).contains("stdout:\nhi\n").contains("result:\n6");
    assertThat(((McpSchema.ImageContent) answer.content().get(1)).data()).isEqualTo(png);
    McpSchema.ResourceLink link = (McpSchema.ResourceLink) answer.content().get(2);
    assertThat(link.uri()).isEqualTo("sandbox://S1/.results/3-1.html");
    assertThat(link.size()).isEqualTo(5_000_000L);
  }

  @Test
  @DisplayName("The user's code failing is a tool error with the traceback in its text")
  void failures() {
    Map<String, Object> raised = new java.util.HashMap<>(Map.of("stdout", "", "stderr", "", "return_code", 1,
        "error", Map.of("name", "ZeroDivisionError", "value", "division by zero",
            "traceback", List.of("Traceback (most recent call last):", "  File \"<cell>\", line 1", "ZeroDivisionError"))));
    CallToolResult answer = ToolResults.execution(raised, null);
    assertThat(answer.isError()).isTrue();
    assertThat(((McpSchema.TextContent) answer.content().get(0)).text())
        .contains("error: ZeroDivisionError: division by zero").contains("File \"<cell>\", line 1");
    assertThat(ToolResults.failed(Map.of("return_code", 0, "timed_out", true))).isTrue();
    assertThat(ToolResults.failed(Map.of("return_code", 0, "limit", "memory"))).isTrue();
    assertThat(ToolResults.failed(Map.of("return_code", 3))).isTrue();
    assertThat(ToolResults.failed(Map.of("return_code", 0, "timed_out", false))).isFalse();
  }

  @Test
  @DisplayName("A missing session or a refused path is a JSON-RPC error; busy or full is a tool error")
  void refusals() {
    assertThat(ToolResults.refusal(new ApiException(404, "session_not_found", "No session 'x'.")))
        .isInstanceOfSatisfying(McpError.class, error -> assertThat(error.getJsonRpcError().code())
            .isEqualTo(McpSchema.ErrorCodes.INVALID_PARAMS));
    assertThat(ToolResults.refusal(new ApiException(400, "invalid_path", "No.")))
        .isInstanceOf(McpError.class);
    assertThat(ToolResults.refusal(new ApiException(409, "session_busy", "Busy.")))
        .isInstanceOfSatisfying(CallToolResult.class, result -> assertThat(result.isError()).isTrue());
  }

  @Test
  @DisplayName("Cancellation finds a call by its id as JSON-RPC compares ids: 7 and 7.0 alike, \"7\" not")
  void cancellations() throws Exception {
    Cancellations cancellations = new Cancellations();
    List<String> stopped = new ArrayList<>();
    AutoCloseable registration = cancellations.register("m1", 7, () -> stopped.add("7"));
    cancellations.cancel("m2", 7);
    cancellations.cancel("m1", "7");
    assertThat(stopped).isEmpty();
    cancellations.cancel("m1", 7.0);
    cancellations.cancel("m1", 7);
    assertThat(stopped).containsExactly("7");
    registration.close();
  }

  @Test
  @DisplayName("File paths are encoded name by name; the key never shows in a target's string")
  void pathsAndKey() {
    assertThat(ApiClient.filePath("s 1", "a b/c%.csv")).isEqualTo("/v1/sessions/s%201/files/a%20b/c%25.csv");
    ApiTarget target = new ApiTarget(URI.create("http://127.0.0.1:8080/"), "Bearer very-secret-key");
    assertThat(target.toString()).doesNotContain("very-secret-key");
    assertThat(target.resolve("/v1/info")).isEqualTo(URI.create("http://127.0.0.1:8080/v1/info"));
  }
}
