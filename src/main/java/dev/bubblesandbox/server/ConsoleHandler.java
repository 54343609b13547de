package dev.bubblesandbox.server;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.environment.EnvironmentName;
import dev.bubblesandbox.sandbox.OutputListener;
import dev.bubblesandbox.session.SessionIds;
import dev.bubblesandbox.session.SessionInfo;
import dev.bubblesandbox.session.SessionLease;
import dev.bubblesandbox.session.SessionSettings;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The WebSocket console of SPEC §5, on a session or on a throwaway session. */
final class ConsoleHandler {

  private static final Logger logger = LoggerFactory.getLogger(ConsoleHandler.class);

  /**
   * The one subprotocol the console speaks; a client may offer it beside {@code bearer.<key>}
   * (see {@link AccessGuard}), and the server answers with it alone.
   */
  static final String SUBPROTOCOL = "bubble-sandbox";

  private static final long NO_TIMER = -1;

  private final ServerContext context;
  private final ExecutionService executions;

  ConsoleHandler(ServerContext context, ExecutionService executions) {
    this.context = context;
    this.executions = executions;
  }

  /** {@code /v1/sessions/{id}/console}: the session must exist before the upgrade. */
  void handleSessionConsole(RoutingContext routing) {
    SessionInfo session = context.sessions().get(routing.pathParam("id"));
    upgrade(routing, session, false);
  }

  /** {@code /v1/console?environment=NAME}: a session that ends with the socket. */
  void handleThrowawayConsole(RoutingContext routing) {
    String environment = routing.queryParams().get("environment");
    String name = EnvironmentName.validate(environment == null ? ServerContext.DEFAULT_ENVIRONMENT : environment);
    // The upgrade happens after the session exists: hold the request until then.
    routing.request().pause();
    context.blocking().executeBlocking(() -> {
          context.environments().require(name);
          return context.sessions().createThrowaway(new SessionSettings(name, Map.of()));
        })
        .onSuccess(session -> upgrade(routing, session, true))
        .onFailure(failure -> {
          routing.request().resume();
          routing.fail(failure);
        });
  }

  private void upgrade(RoutingContext routing, SessionInfo session, boolean throwaway) {
    if (!routing.request().canUpgradeToWebSocket()) {
      if (throwaway) {
        endThrowaway(session);
      }
      ErrorResponses.send(routing, ErrorCode.INVALID_REQUEST, "This endpoint speaks WebSocket only.");
      return;
    }
    routing.request().toWebSocket()
        .onSuccess(socket -> new Connection(routing.vertx(), socket, session, throwaway).start())
        .onFailure(failure -> {
          if (throwaway) {
            endThrowaway(session);
          }
          routing.fail(failure);
        });
  }

  private void endThrowaway(SessionInfo session) {
    context.blocking().executeBlocking(() -> {
      context.sessions().endThrowaway(session.id());
      return null;
    });
  }

  /**
   * One socket: at most one execution at a time, frames in both directions. Every message gets
   * its effect or an error frame carrying that message's own {@code id}; none is dropped.
   */
  private final class Connection {
    private final Vertx vertx;
    private final ServerWebSocket socket;
    private final SessionInfo session;
    private final boolean throwaway;
    private final RateLimiter rate = new RateLimiter(context.settings().websocketMessagesPerSecond());
    /** Messages received and not handled yet, oldest first: text as String, binary as Buffer. */
    private final ArrayDeque<Object> inbox = new ArrayDeque<>();
    /** Whether reading from the socket is paused because the inbox holds messages. */
    private boolean paused;
    private long rateTimer = NO_TIMER;
    /** The execution this socket started, from its {@code execute} to its {@code exit} frame. */
    private Run run;
    private boolean closed;

    Connection(Vertx vertx, ServerWebSocket socket, SessionInfo session, boolean throwaway) {
      this.vertx = vertx;
      this.socket = socket;
      this.session = session;
      this.throwaway = throwaway;
    }

    void start() {
      socket.textMessageHandler(this::onMessage);
      // Binary messages queue and count against the rate like text ones: each gets an error.
      socket.binaryMessageHandler(this::onMessage);
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

    private void onMessage(Object received) {
      inbox.add(received);
      handleInbox();
    }

    /**
     * Handles received messages in order, as far as it may: not past an {@code execute} whose
     * sandbox is still starting (the {@code stdin} and {@code kill} after it are meant for it),
     * and not faster than the rate limit. While a message waits, reading from the socket is
     * paused, so the client's next messages wait in TCP: slowed down, never dropped, never
     * piling up here.
     */
    private void handleInbox() {
      while (!inbox.isEmpty() && !closed && (run == null || !run.starting()) && rateTimer == NO_TIMER) {
        if (!rate.tryTake()) {
          long waitMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(rate.nanosUntilToken()));
          rateTimer = vertx.setTimer(waitMs, fired -> {
            rateTimer = NO_TIMER;
            handleInbox();
          });
          break;
        }
        handle(inbox.poll());
      }
      if (closed) {
        return;
      }
      boolean hold = !inbox.isEmpty();
      if (hold != paused) {
        paused = hold;
        if (hold) {
          socket.pause();
        } else {
          socket.resume();
        }
      }
    }

    private void handle(Object received) {
      if (!(received instanceof String text)) {
        error(null, ErrorCode.INVALID_MESSAGE, "Send JSON text frames, not binary ones.");
        return;
      }
      JsonObject message;
      try {
        message = Bodies.object(text.getBytes(StandardCharsets.UTF_8));
      } catch (BubbleSandboxException e) {
        error(null, ErrorCode.INVALID_JSON, "Each message must be one JSON object.");
        return;
      }
      String id = idOf(message);
      String type = message.getValue("type") instanceof String t ? t : "";
      try {
        switch (type) {
          case "execute" -> execute(message, id);
          case "stdin" -> stdin(message, id);
          case "kill" -> kill(id);
          default -> error(id, ErrorCode.INVALID_MESSAGE,
              "Unknown message type '" + type + "'; expected execute, stdin or kill.");
        }
      } catch (BubbleSandboxException e) {
        error(id, e);
      }
    }

    private void execute(JsonObject message, String id) {
      if (message.getValue("id") != null && id == null) {
        throw new RefusedException(ErrorCode.INVALID_REQUEST, "An execute's 'id' must be a string.");
      }
      ExecuteRequest request = ExecuteRequest.parse(message,
          context.limits(), false, Set.of("type", "id"));
      // Refused (session_busy, error frame) while this socket's own run or anything else holds it.
      SessionLease lease = context.sessions().leaseExecution(session.id());
      Run started = new Run(id == null ? SessionIds.newId() : id);
      run = started;
      executions.startInSession(lease, request, true, output -> output(started, output))
          .onSuccess(execution -> {
            started.execution = execution;
            write(new JsonObject().put("type", "started").put("id", started.id));
            started.early.forEach(this::write);
            started.early = null;
            if (closed) {
              execution.kill();
            }
            execution.ended().onComplete(ended -> {
              run = null;
              started.finished.complete();
              if (ended.succeeded()) {
                write(Bodies.exitFrame(started.id, ended.result(), started.outputDropped));
              } else {
                error(started.id, ErrorCode.INTERNAL_ERROR, "The execution failed.");
              }
              handleInbox();
            });
            handleInbox();
          })
          .onFailure(failure -> {
            run = null;
            started.finished.complete();
            if (failure instanceof BubbleSandboxException known) {
              error(id, known);
            } else {
              logger.error("console execution failed", kv("session_id", session.id()), failure);
              error(id, ErrorCode.INTERNAL_ERROR, "The execution could not be started.");
            }
            handleInbox();
          });
    }

    private void stdin(JsonObject message, String id) {
      if (run == null) {
        error(id, ErrorCode.NO_EXECUTION, "Nothing is running to read stdin.");
        return;
      }
      if (Boolean.TRUE.equals(message.getValue("eof"))) {
        run.execution.closeStdin();
        return;
      }
      if (!(message.getValue("data") instanceof String data)) {
        error(id, ErrorCode.INVALID_MESSAGE, "A stdin message needs a string 'data' or \"eof\": true.");
        return;
      }
      run.execution.writeStdin(data).onFailure(failure -> {
        if (failure instanceof BubbleSandboxException refused) {
          error(id, refused);
        } else {
          error(id, ErrorCode.STDIN_REFUSED, "The execution has ended; this stdin was not delivered.");
        }
      });
    }

    /** Its effect is the {@code exit} frame, with {@code "killed": true} when the kill ended it. */
    private void kill(String id) {
      if (run == null) {
        error(id, ErrorCode.NO_EXECUTION, "Nothing is running to kill.");
        return;
      }
      run.execution.kill();
    }

    /** Output frames: a client that does not read gets them dropped, never buffered forever. */
    private void output(Run owner, SandboxEvents.Output output) {
      JsonObject frame = new JsonObject()
          .put("type", output.stream() == OutputListener.Stream.STDOUT ? "stdout" : "stderr")
          .put("id", owner.id)
          .put("data", output.text());
      if (owner.early != null) {
        owner.early.add(frame);
      } else if (socket.writeQueueFull()) {
        owner.outputDropped = true;
      } else {
        write(frame);
      }
    }

    private void write(JsonObject frame) {
      if (!closed) {
        socket.writeTextMessage(frame.encode());
      }
    }

    /** An error frame for {@code failure}, answering the message whose {@code id} is given. */
    private void error(String id, BubbleSandboxException failure) {
      error(id, failure.code(), failure.clientMessage());
    }

    /** An error frame answering the message whose {@code id} is given (null: it had none). */
    private void error(String id, ErrorCode code, String message) {
      JsonObject frame = new JsonObject().put("type", "error").put("code", code.code()).put("message", message);
      if (id != null) {
        frame.put("id", id);
      }
      write(frame);
    }

    private void onClose() {
      closed = true;
      inbox.clear();
      if (rateTimer != NO_TIMER) {
        vertx.cancelTimer(rateTimer);
      }
      // A run still starting is killed as soon as it has started (see execute).
      if (run != null && !run.starting()) {
        run.execution.kill();
      }
      if (throwaway) {
        if (run == null) {
          endThrowaway(session);
        } else {
          run.finished.future().onComplete(ended -> endThrowaway(session));
        }
      }
    }
  }

  /** The id a message carries, as a string: a string or a number; null when it has none. */
  private static String idOf(JsonObject message) {
    Object id = message.getValue("id");
    return id instanceof String || id instanceof Number ? id.toString() : null;
  }

  /** One execution of a socket. */
  private static final class Run {
    final String id;
    /** Null while the sandbox starts. */
    SandboxClient.Execution execution;
    /** Output that arrived before the {@code started} frame went out; null after it. */
    List<JsonObject> early = new ArrayList<>();
    boolean outputDropped;
    /** Completes once the execution has ended or could not start. */
    final Promise<Void> finished = Promise.promise();

    Run(String id) {
      this.id = id;
    }

    boolean starting() {
      return execution == null;
    }
  }
}
