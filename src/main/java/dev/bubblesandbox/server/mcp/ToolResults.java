package dev.bubblesandbox.server.mcp;

import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import io.modelcontextprotocol.spec.McpSchema.Content;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tool answers: an execution's API result as MCP content ({@code structuredContent} with a text
 * copy, images as {@code image} content, large results as {@code resource_link}s), and the
 * API's refusals as JSON-RPC errors or tool errors.
 */
final class ToolResults {

  /** The scheme of a resource link to a session's file: {@code sandbox://SESSION/PATH}. */
  static final String FILE_SCHEME = "sandbox://";

  private ToolResults() {}

  /** A plain answer: {@code structured} and its JSON as text. */
  static CallToolResult of(Map<String, Object> structured, ApiClient api) {
    return CallToolResult.builder().structuredContent(structured)
        .addTextContent(new String(api.write(structured), java.nio.charset.StandardCharsets.UTF_8))
        .isError(false).build();
  }

  /**
   * An execution's answer. It is an error ({@code isError}) when the user's code failed: an
   * exception, a non-zero return code, a timeout or a limit.
   *
   * @param sessionId the session it ran in (its files are linked); null for a one-shot
   */
  @SuppressWarnings("unchecked")
  static CallToolResult execution(Map<String, Object> result, String sessionId) {
    Map<String, Object> structured = new LinkedHashMap<>(result);
    List<Content> media = new ArrayList<>();
    String resultText = null;
    Object results = result.get("results");
    if (results instanceof List<?> bundles) {
      List<Map<String, Object>> kept = new ArrayList<>();
      for (Object each : bundles) {
        Map<String, Object> bundle = new LinkedHashMap<>((Map<String, Object>) each);
        if (Boolean.TRUE.equals(bundle.get("is_main_result")) && bundle.get("text/plain") instanceof String text) {
          resultText = text;
        }
        bundle.replaceAll((mime, value) -> media(mime, value, sessionId, media));
        kept.add(bundle);
      }
      structured.put("results", kept);
    }
    structured.put("result_text", resultText);
    List<Content> content = new ArrayList<>();
    content.add(McpSchema.TextContent.builder(text(structured, resultText)).build());
    content.addAll(media);
    return CallToolResult.builder().content(content).structuredContent(structured)
        .isError(failed(result)).build();
  }

  /**
   * One MIME value of a bundle: a PNG becomes image content (and, in the structured copy, its
   * size only: the bytes travel once); a value the kernel wrote to a file becomes a resource link.
   */
  private static Object media(String mime, Object value, String sessionId, List<Content> media) {
    if (mime.equals("image/png") && value instanceof String base64) {
      media.add(McpSchema.ImageContent.builder(base64, "image/png").build());
      return Map.of("content", "image", "bytes", Base64.getMimeDecoder().decode(base64).length);
    }
    if (value instanceof Map<?, ?> file && file.get("file") instanceof String path && sessionId != null) {
      Object bytes = file.get("bytes");
      media.add(McpSchema.ResourceLink.builder()
          .name(path)
          .uri(FILE_SCHEME + sessionId + "/" + path)
          .description("A result too large to inline: read_file(session_id, \"" + path + "\") gives it.")
          .mimeType(mime)
          .size(bytes instanceof Number number ? number.longValue() : null)
          .build());
    }
    return value;
  }

  static boolean failed(Map<String, Object> result) {
    Object code = result.get("return_code");
    return result.get("error") != null || Boolean.TRUE.equals(result.get("timed_out"))
        || result.get("limit") != null || (code instanceof Number number && number.intValue() != 0);
  }

  /** What an agent reads first: the output, the result, the error with its traceback. */
  @SuppressWarnings("unchecked")
  private static String text(Map<String, Object> result, String resultText) {
    StringBuilder text = new StringBuilder();
    section(text, "stdout", result.get("stdout"));
    section(text, "stderr", result.get("stderr"));
    section(text, "result", resultText);
    if (result.get("error") instanceof Map<?, ?> error) {
      text.append("error: ").append(error.get("name")).append(": ").append(error.get("value")).append('\n');
      if (error.get("traceback") instanceof List<?> lines) {
        lines.forEach(line -> text.append(line).append(line.toString().endsWith("\n") ? "" : "\n"));
      }
    }
    text.append("return_code: ").append(result.get("return_code"));
    if (Boolean.TRUE.equals(result.get("timed_out"))) {
      text.append(", timed out");
    }
    if (result.get("limit") != null) {
      text.append(", limit: ").append(result.get("limit"));
    }
    if (result.get("kernel") != null) {
      text.append(", kernel: ").append(result.get("kernel"));
    }
    return text.append('\n').toString();
  }

  private static void section(StringBuilder text, String name, Object value) {
    if (value instanceof String string && !string.isEmpty()) {
      text.append(name).append(":\n").append(string).append(string.endsWith("\n") ? "" : "\n");
    }
  }

  /**
   * A refusal of the API. A missing session or a refused path or argument is the agent's mistake
   * in calling the tool: a JSON-RPC error (invalid params). The rest (busy, full, too large) is a
   * tool error the agent can act on.
   */
  static Object refusal(ApiException refused) {
    if (refused.status() == 404 || refused.status() == 400 || refused.status() == 422) {
      return McpError.builder(McpSchema.ErrorCodes.INVALID_PARAMS).message(refused.getMessage())
          .data(Map.of("code", refused.code())).build();
    }
    return CallToolResult.builder().addTextContent(refused.code() + ": " + refused.getMessage())
        .isError(true).build();
  }

  static McpError invalid(String message) {
    return McpError.builder(McpSchema.ErrorCodes.INVALID_PARAMS).message(message).build();
  }
}
