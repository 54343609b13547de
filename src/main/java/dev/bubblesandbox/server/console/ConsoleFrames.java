package dev.bubblesandbox.server.console;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.sandbox.kernel.KernelResult;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import dev.bubblesandbox.sandbox.output.OutputListener;
import dev.bubblesandbox.server.bus.SandboxEvents;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** The console's frames of SPEC §5 as JSON, and the id a client's message carries. */
final class ConsoleFrames {

  private ConsoleFrames() {
  }

  /** The first frame of a throwaway console: the session it made. */
  static JsonObject session(String sessionId) {
    return new JsonObject().put("type", "session").put("session_id", sessionId);
  }

  static JsonObject started(String id) {
    return new JsonObject().put("type", "started").put("id", id);
  }

  static JsonObject output(String id, SandboxEvents.Output output) {
    return new JsonObject()
        .put("type", output.stream() == OutputListener.Stream.STDOUT ? "stdout" : "stderr")
        .put("id", id)
        .put("data", output.text());
  }

  /** A kernel's {@code display} or {@code result} frame: one MIME bundle, in order with the output. */
  static JsonObject bundle(String type, String id, Map<String, Object> data) {
    return new JsonObject().put("type", type).put("id", id).put("data", new JsonObject(data));
  }

  /**
   * The {@code exit} frame of a kernel execution: its result without the output, as the HTTP
   * answer has it ({@code results}, {@code error}, {@code execution_count}, {@code kernel}
   * included). {@code dropped}: output frames were dropped because the client did not read them;
   * {@code killed}: a {@code kill} ended the kernel.
   */
  static JsonObject kernelExit(String id, KernelResult result, boolean dropped, boolean killed) {
    JsonObject frame = new JsonObject().put("type", "exit").put("id", id);
    JsonObject fields = JsonObject.mapFrom(result);
    fields.remove("stdout");
    fields.remove("stderr");
    frame.mergeIn(fields);
    if (dropped) {
      frame.put("truncated", true);
      if (frame.getValue("limit") == null && !killed) {
        frame.put("limit", ExecutionResult.LIMIT_OUTPUT);
      }
    }
    frame.put("killed", killed);
    return frame;
  }

  /** An error frame answering the message whose {@code id} is given (null: it had none). */
  static JsonObject error(String id, ErrorCode code, String message) {
    JsonObject frame = new JsonObject().put("type", "error").put("code", code.code()).put("message", message);
    if (id != null) {
      frame.put("id", id);
    }
    return frame;
  }

  /** The id a message carries, as a string: a string or a number; null when it has none. */
  static String idOf(JsonObject message) {
    Object id = message.getValue("id");
    return id instanceof String || id instanceof Number ? id.toString() : null;
  }
}
