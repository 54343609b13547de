package dev.bubblesandbox.cli;

import dev.bubblesandbox.sandbox.output.ExecutionResult;

/**
 * {@code --json}'s one line: an {@link ExecutionResult} as Jackson writes it (the same fields in
 * the same order, the same escapes), written by hand. Loading Jackson's data binding and
 * introspecting the record cost a CLI run about as much again as the sandbox itself, and the
 * class data archive cannot save that; {@code ResultJsonTest} holds the two to the same text.
 */
final class ResultJson {

  private ResultJson() {}

  static String of(ExecutionResult result) {
    StringBuilder json = new StringBuilder(result.stdout().length() + result.stderr().length() + 160);
    json.append("{\"stdout\":");
    string(json, result.stdout());
    json.append(",\"stderr\":");
    string(json, result.stderr());
    json.append(",\"return_code\":").append(result.returnCode())
        .append(",\"timed_out\":").append(result.timedOut())
        .append(",\"truncated\":").append(result.truncated())
        .append(",\"duration_ms\":").append(result.durationMs())
        .append(",\"limit\":");
    string(json, result.limit());
    if (result.cpuTimeMs() != null) {
      json.append(",\"cpu_time_ms\":").append(result.cpuTimeMs());
    }
    if (result.memoryPeakBytes() != null) {
      json.append(",\"memory_peak_bytes\":").append(result.memoryPeakBytes());
    }
    json.append(",\"start\":");
    string(json, result.start());
    return json.append('}').toString();
  }

  /** A JSON string, or null; escapes as Jackson's default: quote, backslash and controls only. */
  private static void string(StringBuilder json, String text) {
    if (text == null) {
      json.append("null");
      return;
    }
    json.append('"');
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      switch (c) {
        case '"' -> json.append("\\\"");
        case '\\' -> json.append("\\\\");
        case '\n' -> json.append("\\n");
        case '\r' -> json.append("\\r");
        case '\t' -> json.append("\\t");
        case '\b' -> json.append("\\b");
        case '\f' -> json.append("\\f");
        default -> {
          if (c < 0x20) {
            json.append(String.format("\\u%04X", (int) c));
          } else {
            json.append(c);
          }
        }
      }
    }
    json.append('"');
  }
}
