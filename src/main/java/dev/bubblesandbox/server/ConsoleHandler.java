package dev.bubblesandbox.server;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.environment.EnvironmentName;
import dev.bubblesandbox.sandbox.Limits;
import dev.bubblesandbox.session.Session;
import dev.bubblesandbox.session.SessionRegistry;
import dev.bubblesandbox.session.SessionSettings;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The WebSocket console of SPEC §5, on a session or on a throwaway session. */
final class ConsoleHandler {

  private static final Logger logger = LoggerFactory.getLogger(ConsoleHandler.class);

  private final ServerContext context;
  private final ExecutionService executions;

  ConsoleHandler(ServerContext context, ExecutionService executions) {
    this.context = context;
    this.executions = executions;
  }

  /** {@code /v1/sessions/{id}/console}: the session must exist before the upgrade. */
  void handleSessionConsole(RoutingContext routing) {
    Session session = context.sessions().get(routing.pathParam("id"));
    upgrade(routing, session, false);
  }

  /** {@code /v1/console?environment=NAME}: a session that ends with the socket. */
  void handleThrowawayConsole(RoutingContext routing) {
    String environment = routing.queryParams().get("environment");
    String name = EnvironmentName.validate(environment == null ? ServerContext.DEFAULT_ENVIRONMENT : environment);
    String id = SessionRegistry.newId();
    // The upgrade happens after the session exists: hold the request until then.
    routing.request().pause();
    context.blocking().executeBlocking(() -> {
          context.environments().require(name);
          return context.sessions().createThrowaway(id, new SessionSettings(name, Map.of()));
        })
        .onSuccess(session -> upgrade(routing, session, true))
        .onFailure(failure -> {
          routing.request().resume();
          routing.fail(failure);
        });
  }

  private void upgrade(RoutingContext routing, Session session, boolean throwaway) {
    if (!routing.request().canUpgradeToWebSocket()) {
      if (throwaway) {
        endThrowaway(session);
      }
      ErrorResponses.send(routing, 400, "invalid_request", "This endpoint speaks WebSocket only.");
      return;
    }
    routing.request().toWebSocket()
        .onSuccess(socket -> new Connection(socket, session, throwaway).start())
        .onFailure(failure -> {
          if (throwaway) {
            endThrowaway(session);
          }
          routing.fail(failure);
        });
  }

  private void endThrowaway(Session session) {
    context.blocking().executeBlocking(() -> {
      context.sessions().end(session, false);
      return null;
    });
  }

  /** One socket: at most one execution at a time, frames in both directions. */
  private final class Connection {
    private final ServerWebSocket socket;
    private final Session session;
    private final boolean throwaway;
    private SandboxClient.Execution current;
    private String currentId;
    /** Output that arrived before the {@code started} frame went out. */
    private List<JsonObject> early;
    private boolean outputDropped;
    private boolean closed;
    private final RateLimiter rate = new RateLimiter(context.settings().websocketMessagesPerSecond());
    /** Messages refused since the last one let through; the client hears of it once per run. */
    private long refusedMessages;

    Connection(ServerWebSocket socket, Session session, boolean throwaway) {
      this.socket = socket;
      this.session = session;
      this.throwaway = throwaway;
    }

    void start() {
      socket.textMessageHandler(this::onMessage);
      socket.binaryMessageHandler(binary ->
          error("invalid_message", "Send JSON text frames, not binary ones."));
      socket.closeHandler(closed -> onClose());
      // Vert.x drops a message over the size limit and reports it here, leaving the socket open:
      // close it (1009, message too big), as for any other failure of the socket.
      socket.exceptionHandler(failure -> {
        if (!closed) {
          socket.close((short) 1009, "message too big or socket failure");
        }
      });
      if (throwaway) {
        socket.writeTextMessage(new JsonObject().put("type", "session")
            .put("session_id", session.id()).encode());
      }
    }

    private void onMessage(String text) {
      if (!rate.tryTake()) {
        refusedMessages++;
        if (refusedMessages == 1) {
          error("rate_limited", "More than " + context.settings().websocketMessagesPerSecond()
              + " messages per second; messages are dropped until the rate falls.");
        }
        return;
      }
      refusedMessages = 0;
      JsonObject message;
      try {
        message = Bodies.object(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
      } catch (BubbleSandboxException e) {
        error("invalid_json", "Each message must be one JSON object.");
        return;
      }
      String type = message.getValue("type") instanceof String t ? t : "";
      try {
        switch (type) {
          case "execute" -> execute(message);
          case "stdin" -> stdin(message);
          case "kill" -> {
            if (current != null) {
              current.kill();
            }
          }
          default -> error("invalid_message",
              "Unknown message type '" + type + "'; expected execute, stdin or kill.");
        }
      } catch (BubbleSandboxException e) {
        error(e.code(), e.getMessage());
      }
    }

    private void execute(JsonObject message) {
      Object idValue = message.getValue("id");
      String id = idValue == null ? SessionRegistry.newId() : idValue.toString();
      ExecuteRequest request = ExecuteRequest.parse(message,
          Limits.from(context.settings()), false, Set.of("type", "id"));
      if (current != null || !session.tryBegin()) {
        error("session_busy", "An execution is already running in this session.");
        return;
      }
      early = new ArrayList<>();
      outputDropped = false;
      currentId = id;
      executions.startInSession(session, request, true, output -> send(new JsonObject()
              .put("type", output.stream() == dev.bubblesandbox.sandbox.OutputListener.Stream.STDOUT
                  ? "stdout" : "stderr")
              .put("data", output.text())))
          .onSuccess(execution -> {
            current = execution;
            write(new JsonObject().put("type", "started").put("id", id));
            early.forEach(this::write);
            early = null;
            if (closed) {
              execution.kill();
            }
            execution.ended().onComplete(ended -> {
              current = null;
              if (ended.succeeded()) {
                write(Bodies.exitFrame(id, ended.result().result(), outputDropped));
              } else {
                error("internal_error", "The execution failed.");
              }
            });
          })
          .onFailure(failure -> {
            early = null;
            if (failure instanceof BubbleSandboxException known) {
              error(known.code(), known.getMessage());
            } else {
              logger.error("console execution failed", kv("session_id", session.id()), failure);
              error("internal_error", "The execution could not be started.");
            }
          });
    }

    private void stdin(JsonObject message) {
      if (current == null) {
        error("no_execution", "Nothing is running to read stdin.");
        return;
      }
      if (Boolean.TRUE.equals(message.getValue("eof"))) {
        current.closeStdin();
        return;
      }
      if (!(message.getValue("data") instanceof String data)) {
        error("invalid_message", "A stdin message needs a string 'data' or \"eof\": true.");
        return;
      }
      current.writeStdin(data).onFailure(failure -> error("stdin_refused", failure.getMessage()));
    }

    /** Output frames: a client that does not read gets them dropped, never buffered forever. */
    private void send(JsonObject frame) {
      if (early != null) {
        early.add(frame);
      } else if (socket.writeQueueFull()) {
        outputDropped = true;
      } else {
        write(frame);
      }
    }

    private void write(JsonObject frame) {
      if (!closed) {
        socket.writeTextMessage(frame.encode());
      }
    }

    private void error(String code, String message) {
      JsonObject frame = new JsonObject().put("type", "error").put("code", code).put("message", message);
      if (currentId != null) {
        frame.put("id", currentId);
      }
      write(frame);
    }

    private void onClose() {
      closed = true;
      if (current != null) {
        current.kill();
      }
      if (throwaway) {
        if (current == null) {
          endThrowaway(session);
        } else {
          current.ended().onComplete(ended -> endThrowaway(session));
        }
      }
    }
  }
}
