package dev.bubblesandbox.server.mcp;

import dev.bubblesandbox.ErrorCode;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;

/**
 * One execution over the WebSocket console (SPEC §5), for a tool call whose client wants live
 * output: each stdout and stderr frame goes to {@code output} as it comes, and the frames add up
 * to the same result the HTTP API would have answered (output, {@code results} from the kernel's
 * {@code display} and {@code result} frames, then the {@code exit} frame's fields).
 */
final class ConsoleExecution {

  private final ApiClient api;
  private final Map<String, Object> execute;
  private final BiConsumer<String, String> output;
  private final CompletableFuture<Map<String, Object>> result = new CompletableFuture<>();
  private final StringBuilder stdout = new StringBuilder();
  private final StringBuilder stderr = new StringBuilder();
  private final List<Map<String, Object>> results = new ArrayList<>();
  private volatile WebSocket socket;
  /** A stop asked for before the socket was open: sent once it is. */
  private volatile String pendingStop;

  private ConsoleExecution(ApiClient api, Map<String, Object> execute, BiConsumer<String, String> output) {
    this.api = api;
    this.execute = execute;
    this.output = output;
  }

  /**
   * Runs {@code execute} (an {@code execute} frame's fields) in the session's console, or in a
   * throwaway one of {@code environment} when {@code sessionId} is null.
   *
   * @param output called with ("stdout" | "stderr", text) for each output frame, in order
   */
  static ConsoleExecution start(ApiClient api, ApiTarget target, String sessionId, String environment,
      Map<String, Object> execute, BiConsumer<String, String> output) {
    ConsoleExecution execution = new ConsoleExecution(api, execute, output);
    api.console(target, sessionId, environment).whenComplete((socket, failure) -> {
      if (failure != null) {
        execution.result.completeExceptionally(refusal(failure));
      } else {
        execution.open(socket);
      }
    });
    return execution;
  }

  CompletableFuture<Map<String, Object>> result() {
    return result;
  }

  /** Interrupts a kernel's execution (its state stays) or kills any other; nothing once it ended. */
  void stop(boolean kernel) {
    String frame = kernel ? "{\"type\":\"interrupt\"}" : "{\"type\":\"kill\",\"id\":\"mcp\"}";
    WebSocket open = socket;
    if (open == null) {
      pendingStop = frame;
    } else if (!result.isDone()) {
      open.writeTextMessage(frame);
    }
  }

  private void open(WebSocket webSocket) {
    webSocket.textMessageHandler(text -> {
      try {
        frame(api.read(text));
      } catch (RuntimeException e) {
        result.completeExceptionally(e);
        webSocket.close();
      }
    });
    webSocket.closeHandler(ignored -> result.completeExceptionally(new ApiException(502, "console_closed",
        "The console closed before the execution ended.")));
    webSocket.exceptionHandler(result::completeExceptionally);
    Map<String, Object> frame = new LinkedHashMap<>(execute);
    frame.put("type", "execute");
    frame.put("id", "mcp");
    webSocket.writeTextMessage(new String(api.write(frame), java.nio.charset.StandardCharsets.UTF_8));
    socket = webSocket;
    String stop = pendingStop;
    if (stop != null) {
      webSocket.writeTextMessage(stop);
    }
  }

  @SuppressWarnings("unchecked")
  private void frame(Map<String, Object> frame) {
    String type = String.valueOf(frame.get("type"));
    switch (type) {
      case "stdout" -> {
        stdout.append(frame.get("data"));
        output.accept("stdout", String.valueOf(frame.get("data")));
      }
      case "stderr" -> {
        stderr.append(frame.get("data"));
        output.accept("stderr", String.valueOf(frame.get("data")));
      }
      case "display", "result" -> {
        Map<String, Object> bundle = new LinkedHashMap<>((Map<String, Object>) frame.get("data"));
        bundle.put("is_main_result", type.equals("result"));
        results.add(bundle);
      }
      case "exit" -> {
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("stdout", stdout.toString());
        answer.put("stderr", stderr.toString());
        frame.forEach((key, value) -> {
          if (!key.equals("type") && !key.equals("id") && !key.equals("killed")) {
            answer.put(key, value);
          }
        });
        if (!answer.containsKey("results") && !results.isEmpty()) {
          answer.put("results", results);
        }
        result.complete(answer);
        socket.close();
      }
      case "error" -> {
        String code = String.valueOf(frame.get("code"));
        int status = Arrays.stream(ErrorCode.values()).filter(known -> known.code().equals(code))
            .mapToInt(ErrorCode::httpStatus).findFirst().orElse(400);
        if (code.equals(ErrorCode.NOT_A_KERNEL.code())) {
          // An interrupt sent to a session without a kernel: a kill stops its execution instead.
          socket.writeTextMessage("{\"type\":\"kill\",\"id\":\"mcp\"}");
          return;
        }
        result.completeExceptionally(new ApiException(status, code, String.valueOf(frame.get("message"))));
        socket.close();
      }
      default -> {
        // "session", "started": nothing to keep
      }
    }
  }

  /** A refused upgrade (e.g. 404: no such session) as the API's error. */
  private static Throwable refusal(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    if (cause instanceof UpgradeRejectedException rejected) {
      int status = rejected.getStatus();
      String code = status == 404 ? ErrorCode.SESSION_NOT_FOUND.code() : "http_" + status;
      String message = status == 404 ? "No such session." : "The console was refused (" + status + ").";
      return new ApiException(status, code, message);
    }
    return cause;
  }
}
