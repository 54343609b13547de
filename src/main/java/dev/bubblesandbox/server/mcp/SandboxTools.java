package dev.bubblesandbox.server.mcp;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.modelcontextprotocol.common.McpTransportContext;
import io.modelcontextprotocol.json.McpJsonMapper;
import io.modelcontextprotocol.json.schema.JsonSchemaValidator;
import io.modelcontextprotocol.server.McpAsyncServerExchange;
import io.modelcontextprotocol.server.McpServerFeatures.AsyncToolSpecification;
import io.modelcontextprotocol.spec.McpError;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.CallToolRequest;
import io.modelcontextprotocol.spec.McpSchema.CallToolResult;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

/**
 * The MCP tools of SPEC §12 ({@code run_python}, {@code run_shell}, {@code create_session},
 * {@code close_session}, {@code list_environments}, {@code list_files}, {@code read_file},
 * {@code write_file}), each a call of the HTTP API ({@link ApiClient}) with the caller's
 * credentials. Arguments are checked against the tool's input schema first: a mismatch is a
 * JSON-RPC error, as are an unknown session and a refused path; the user's code failing is a
 * tool result with {@code isError}.
 *
 * <p>A run with a progress token streams its output as {@code notifications/progress} through
 * the console; one of a client that set the log level to {@code debug} streams it as log
 * messages ({@code notifications/message}, logger {@code stdout} or {@code stderr}); any other is
 * one HTTP request, the quickest way. Either can be cancelled
 * ({@link Cancellations}): a kernel's execution is interrupted and keeps its state.
 */
public final class SandboxTools {

  /** Transport context key: the caller's {@code Authorization} header (null without a key). */
  public static final String AUTHORIZATION = "authorization";
  /** Transport context key: the JSON-RPC id of the request, for cancellation. */
  public static final String REQUEST_ID = "jsonrpc_id";

  private static final Logger logger = LoggerFactory.getLogger(SandboxTools.class);
  private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>() {};

  private final ApiClient api;
  private final Function<McpTransportContext, ApiTarget> targets;
  private final Cancellations cancellations;
  private final ToolMeters meters;
  private final JsonSchemaValidator validator;
  private final ObjectMapper json;
  /** Whether an MCP session asked for debug log messages ({@code logging/setLevel}), by its id. */
  private final java.util.function.Predicate<String> wantsLog;

  SandboxTools(ApiClient api, Function<McpTransportContext, ApiTarget> targets, Cancellations cancellations,
      ToolMeters meters, JsonSchemaValidator validator, ObjectMapper json,
      java.util.function.Predicate<String> wantsLog) {
    this.wantsLog = wantsLog;
    this.api = api;
    this.targets = targets;
    this.cancellations = cancellations;
    this.meters = meters;
    this.validator = validator;
    this.json = json;
  }

  /** What a tool does with its checked arguments. */
  private interface Handler {
    CompletableFuture<CallToolResult> call(Call call);
  }

  /** One call: its arguments, where its requests go, and its exchange. */
  private record Call(Map<String, Object> arguments, ApiTarget target, McpAsyncServerExchange exchange,
      CallToolRequest request) {

    String string(String name) {
      return arguments.get(name) instanceof String value ? value : null;
    }
  }

  /** The tools, for the server's builder. */
  List<AsyncToolSpecification> specifications(McpJsonMapper mapper) {
    List<AsyncToolSpecification> tools = new ArrayList<>();
    tools.add(tool(mapper, "run_python", "Run Python code in a sandbox. With session_id it runs in that "
        + "session's kernel, whose variables persist between calls; without, in a fresh one-shot sandbox. "
        + "Returns stdout, stderr, the last expression's value, the error with its traceback; plots come "
        + "back as images.", ToolSchemas.RUN_PYTHON_IN, ToolSchemas.EXECUTION_OUT,
        call -> run(call, "script", "code")));
    tools.add(tool(mapper, "run_shell", "Run a shell command line in a sandbox: in the session's "
        + "workspace with session_id, else in a fresh one-shot sandbox.", ToolSchemas.RUN_SHELL_IN,
        ToolSchemas.EXECUTION_OUT, call -> run(call, "shell", "command")));
    tools.add(tool(mapper, "create_session", "Create a session: a workspace of files and, by default, a "
        + "Python kernel that keeps state between run_python calls.", ToolSchemas.CREATE_SESSION_IN,
        ToolSchemas.CREATE_SESSION_OUT, this::createSession));
    tools.add(tool(mapper, "close_session", "End a session: its kernel stops and its files are deleted.",
        ToolSchemas.SESSION_IN, ToolSchemas.CLOSE_SESSION_OUT, this::closeSession));
    tools.add(tool(mapper, "list_environments", "The Python environments sandboxes can use, with their "
        + "packages.", ToolSchemas.NO_ARGUMENTS, ToolSchemas.LIST_ENVIRONMENTS_OUT,
        call -> api.json(call.target(), "GET", "/v1/environments", null)
            .thenApply(answer -> ToolResults.of(answer, api))));
    tools.add(tool(mapper, "list_files", "List the files of a session's workspace (recursively).",
        ToolSchemas.LIST_FILES_IN, ToolSchemas.LIST_FILES_OUT, this::listFiles));
    tools.add(tool(mapper, "read_file", "Read a file of a session's workspace: {content} when it is "
        + "UTF-8 text, else {content_base64}.", ToolSchemas.READ_FILE_IN, ToolSchemas.READ_FILE_OUT,
        this::readFile));
    tools.add(tool(mapper, "write_file", "Write a file into a session's workspace, from content (text) "
        + "or content_base64 (bytes).", ToolSchemas.WRITE_FILE_IN, ToolSchemas.WRITE_FILE_OUT,
        this::writeFile));
    return tools;
  }

  private AsyncToolSpecification tool(McpJsonMapper mapper, String name, String description, String input,
      String output, Handler handler) {
    Map<String, Object> inputSchema = parse(input);
    McpSchema.Tool tool = McpSchema.Tool.builder(name, mapper, input).description(description)
        .outputSchema(mapper, output).build();
    return new AsyncToolSpecification(tool, (exchange, request) -> Mono.defer(() -> {
      long started = System.nanoTime();
      Map<String, Object> arguments = request.arguments() == null ? Map.of() : request.arguments();
      JsonSchemaValidator.ValidationResponse valid = validator.validate(inputSchema, arguments);
      CompletableFuture<CallToolResult> answer;
      if (!valid.valid()) {
        answer = CompletableFuture.failedFuture(ToolResults.invalid("Invalid arguments for " + name + ": "
            + valid.errorMessage()));
      } else {
        try {
          answer = handler.call(new Call(arguments, targets.apply(exchange.transportContext()), exchange, request));
        } catch (RuntimeException e) {
          answer = CompletableFuture.failedFuture(e);
        }
      }
      return Mono.fromFuture(answer.handle((result, failure) -> settle(name, started, result, failure)))
          .flatMap(settled -> settled instanceof McpError error ? Mono.error(error) : Mono.just((CallToolResult) settled));
    }));
  }

  /** The answer or the JSON-RPC error a call ends with, counted. */
  private Object settle(String tool, long started, CallToolResult result, Throwable failure) {
    Object settled = result;
    if (failure != null) {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (cause instanceof McpError error) {
        settled = error;
      } else if (cause instanceof ApiException refused) {
        settled = ToolResults.refusal(refused);
      } else {
        logger.error("MCP tool failed", net.logstash.logback.argument.StructuredArguments.kv("tool", tool), cause);
        settled = McpError.builder(McpSchema.ErrorCodes.INTERNAL_ERROR)
            .message("The tool failed: " + cause.getClass().getSimpleName()).build();
      }
    }
    String outcome = settled instanceof McpError ? ToolMeters.PROTOCOL_ERROR
        : Boolean.TRUE.equals(((CallToolResult) settled).isError()) ? ToolMeters.TOOL_ERROR : ToolMeters.OK;
    meters.record(tool, outcome, Duration.ofNanos(System.nanoTime() - started));
    return settled;
  }

  private CompletableFuture<CallToolResult> run(Call call, String field, String argument) {
    String sessionId = call.string("session_id");
    String environment = call.string("environment");
    if (sessionId != null && environment != null) {
      throw ToolResults.invalid("environment is for one-shot runs: a session has its own");
    }
    Map<String, Object> body = new LinkedHashMap<>();
    body.put(field, call.string(argument));
    if (call.arguments().get("timeout_seconds") instanceof Number timeout) {
      body.put("timeout_seconds", timeout.intValue());
    }
    Object token = call.request().meta() == null ? null : call.request().meta().get("progressToken");
    Object requestId = call.exchange().transportContext().get(REQUEST_ID);
    boolean kernel = sessionId != null && field.equals("script");
    if (token != null || wantsLog.test(call.exchange().sessionId())) {
      AtomicLong progress = new AtomicLong();
      ConsoleExecution execution = ConsoleExecution.start(api, call.target(), sessionId, environment, body,
          (stream, text) -> (token != null
              ? call.exchange().progressNotification(McpSchema.ProgressNotification.builder(token,
                  (double) progress.incrementAndGet()).message(text).build())
              : log(call.exchange(), stream, text))
              .subscribe(null, failure -> logger.debug("output notification not sent", failure)));
      return watched(call, requestId, () -> execution.stop(kernel), execution.result())
          .thenApply(result -> ToolResults.execution(result, sessionId));
    }
    CompletableFuture<Map<String, Object>> result;
    if (sessionId == null) {
      if (environment != null) {
        body.put("environment", environment);
      }
      result = api.json(call.target(), "POST", "/v1/execute", body);
    } else {
      result = api.json(call.target(), "POST", "/v1/sessions/" + ApiClient.segment(sessionId) + "/execute", body);
    }
    // Over HTTP only a kernel can be stopped (its interrupt route); a fresh sandbox's run ends at its timeout.
    Runnable stop = kernel ? () -> api.json(call.target(), "POST",
        "/v1/sessions/" + ApiClient.segment(sessionId) + "/interrupt", null)
        .exceptionally(refused -> Map.of()) : () -> { };
    return watched(call, requestId, stop, result).thenApply(answer -> ToolResults.execution(answer, sessionId));
  }

  /**
   * One chunk of output as a log message. The SDK's 2.2 deprecates the exchange's logging in
   * favour of its new server API (io.modelcontextprotocol.modern), which this transport does not
   * use; on the wire it is MCP's {@code notifications/message} all the same.
   */
  @SuppressWarnings("deprecation")
  private static Mono<Void> log(McpAsyncServerExchange exchange, String stream, String text) {
    return exchange.loggingNotification(McpSchema.LoggingMessageNotification.builder(
        McpSchema.LoggingLevel.DEBUG, text).logger(stream).build());
  }

  /** {@code running}, cancellable by its request id while it runs. */
  private <T> CompletableFuture<T> watched(Call call, Object requestId, Runnable stop, CompletableFuture<T> running) {
    if (requestId == null) {
      return running;
    }
    AutoCloseable registration = cancellations.register(call.exchange().sessionId(), requestId, stop);
    return running.whenComplete((result, failure) -> {
      try {
        registration.close();
      } catch (Exception impossible) {
        throw new IllegalStateException(impossible);
      }
    });
  }

  private CompletableFuture<CallToolResult> createSession(Call call) {
    Map<String, Object> body = new LinkedHashMap<>();
    if (call.string("environment") != null) {
      body.put("environment", call.string("environment"));
    }
    body.put("kernel", !Boolean.FALSE.equals(call.arguments().get("kernel")));
    return api.json(call.target(), "POST", "/v1/sessions", body).thenApply(session -> {
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("session_id", session.get("session_id"));
      answer.put("environment", session.get("environment"));
      answer.put("kernel", Boolean.TRUE.equals(session.get("kernel")));
      return ToolResults.of(answer, api);
    });
  }

  private CompletableFuture<CallToolResult> closeSession(Call call) {
    String sessionId = call.string("session_id");
    return api.json(call.target(), "DELETE", "/v1/sessions/" + ApiClient.segment(sessionId), null)
        .thenApply(ignored -> ToolResults.of(Map.of("session_id", sessionId, "closed", true), api));
  }

  @SuppressWarnings("unchecked")
  private CompletableFuture<CallToolResult> listFiles(Call call) {
    String sessionId = call.string("session_id");
    String directory = call.string("path") == null ? "" : call.string("path").replaceAll("^(\\./)+|/+$", "");
    return api.json(call.target(), "GET", "/v1/sessions/" + ApiClient.segment(sessionId) + "/files", null)
        .thenApply(listing -> {
          List<Object> files = new ArrayList<>();
          for (Object each : (List<Object>) listing.getOrDefault("files", List.of())) {
            String path = String.valueOf(((Map<String, Object>) each).get("path"));
            if (directory.isEmpty() || directory.equals(".") || path.startsWith(directory + "/")) {
              files.add(each);
            }
          }
          return ToolResults.of(Map.of("files", files), api);
        });
  }

  private CompletableFuture<CallToolResult> readFile(Call call) {
    String path = call.string("path");
    return api.download(call.target(), call.string("session_id"), path).thenApply(bytes -> {
      Map<String, Object> answer = new LinkedHashMap<>();
      answer.put("path", path);
      answer.put("size", bytes.length);
      try {
        answer.put("content", StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(bytes)).toString());
      } catch (CharacterCodingException notText) {
        answer.put("content_base64", Base64.getEncoder().encodeToString(bytes));
      }
      return ToolResults.of(answer, api);
    });
  }

  private CompletableFuture<CallToolResult> writeFile(Call call) {
    String text = call.string("content");
    String base64 = call.string("content_base64");
    if ((text == null) == (base64 == null)) {
      throw ToolResults.invalid("write_file takes exactly one of content and content_base64");
    }
    byte[] bytes;
    try {
      bytes = text != null ? text.getBytes(StandardCharsets.UTF_8) : Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException notBase64) {
      throw ToolResults.invalid("content_base64 is not base64: " + notBase64.getMessage());
    }
    String path = call.string("path");
    return api.upload(call.target(), call.string("session_id"), path, bytes)
        .thenApply(ignored -> ToolResults.of(Map.of("path", path, "size", bytes.length), api));
  }

  private Map<String, Object> parse(String schema) {
    try {
      return json.readValue(schema, OBJECT);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }
}
