package dev.bubblesandbox.server.console;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.sandbox.kernel.KernelListener;
import dev.bubblesandbox.sandbox.kernel.KernelResult;
import dev.bubblesandbox.server.bus.SandboxEvents;
import dev.bubblesandbox.server.execution.ExecuteRequest;
import dev.bubblesandbox.server.execution.ExecutionService;
import dev.bubblesandbox.server.web.Bodies;
import dev.bubblesandbox.server.web.ServerContext;
import dev.bubblesandbox.session.SessionIds;
import dev.bubblesandbox.session.SessionInfo;
import dev.bubblesandbox.session.SessionLease;
import io.vertx.core.Vertx;
import io.vertx.core.http.ServerWebSocket;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One socket: at most one execution at a time, frames in both directions. Every message gets
 * its effect or an error frame carrying that message's own {@code id}; none is dropped.
 */
final class ConsoleConnection {

  private static final Logger logger = LoggerFactory.getLogger(ConsoleConnection.class);

  private final ServerContext context;
  private final ExecutionService executions;
  private final ServerWebSocket socket;
  private final SessionInfo session;
  /** The session's id as the client knows it (its tenant's). */
  private final String clientSessionId;
  /** Ends a throwaway session once the socket is done with it; null for a kept session. */
  private final Runnable endThrowaway;
  /** Not past an {@code execute} whose sandbox is still starting: what follows is meant for it. */
  private final ConsoleInbox inbox;
  /** The execution this socket started, from its {@code execute} to its {@code exit} frame. */
  private ConsoleRun run;
  /** A {@code restart} is under way: what follows it is meant for the fresh kernel. */
  private boolean restarting;
  private boolean closed;

  ConsoleConnection(ServerContext context, ExecutionService executions, Vertx vertx,
      ServerWebSocket socket, SessionInfo session, String clientSessionId, Runnable endThrowaway) {
    this.context = context;
    this.executions = executions;
    this.socket = socket;
    this.session = session;
    this.clientSessionId = clientSessionId;
    this.endThrowaway = endThrowaway;
    this.inbox = new ConsoleInbox(vertx, socket, context.api().websocketMessagesPerSecond(),
        () -> !closed && !restarting && (run == null || !run.starting()), this::handle);
  }

  void start() {
    socket.textMessageHandler(inbox::add);
    // Binary messages queue and count against the rate like text ones: each gets an error.
    socket.binaryMessageHandler(inbox::add);
    socket.closeHandler(closed -> onClose());
    // Vert.x drops a message over the size limit and reports it here, leaving the socket open:
    // close it (1009, message too big), as for any other failure of the socket.
    socket.exceptionHandler(failure -> {
      if (!closed) {
        socket.close((short) 1009, "message too big or socket failure");
      }
    });
    if (endThrowaway != null) {
      socket.writeTextMessage(ConsoleFrames.session(clientSessionId).encode());
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
    String id = ConsoleFrames.idOf(message);
    String type = message.getValue("type") instanceof String t ? t : "";
    try {
      switch (type) {
        case "execute" -> execute(message, id);
        case "stdin" -> stdin(message, id);
        case "kill" -> kill(id);
        case "interrupt" -> interrupt();
        case "restart" -> restart(id);
        default -> error(id, ErrorCode.INVALID_MESSAGE,
            "Unknown message type '" + type + "'; expected execute, stdin, kill, interrupt or restart.");
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
    if (session.kernel() && request.script().isPresent()) {
      executeInKernel(lease, request, id == null ? SessionIds.newId() : id);
      return;
    }
    ConsoleRun started = new ConsoleRun(id == null ? SessionIds.newId() : id, false);
    run = started;
    executions.startInSession(lease, request, true, output -> output(started, output))
        .onSuccess(execution -> {
          started.execution = execution;
          write(ConsoleFrames.started(started.id));
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
            inbox.drain();
          });
          inbox.drain();
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
          inbox.drain();
        });
  }

  /**
   * A script of a kernel session, in its kernel: {@code started}, then the output, display and
   * result frames in the order the kernel made them, then {@code exit} with the kernel's fields.
   */
  private void executeInKernel(SessionLease lease, ExecuteRequest request, String id) {
    ConsoleRun started = new ConsoleRun(id, true);
    run = started;
    write(ConsoleFrames.started(id));
    KernelListener frames = new KernelListener() {
      @Override
      public void onOutput(Stream stream, String text) {
        output(started, new SandboxEvents.Output(stream, text));
      }

      @Override
      public void onDisplay(Map<String, Object> bundle) {
        bundleFrame(started, ConsoleFrames.bundle("display", id, bundle));
      }

      @Override
      public void onResult(Map<String, Object> bundle) {
        bundleFrame(started, ConsoleFrames.bundle("result", id, bundle));
      }
    };
    started.early = null;
    executions.startInKernel(lease, request, frames).onComplete(ended -> {
      run = null;
      started.finished.complete();
      if (ended.succeeded()) {
        KernelResult result = ended.result();
        write(ConsoleFrames.kernelExit(id, result, started.outputDropped, started.killed));
      } else if (ended.cause() instanceof BubbleSandboxException known) {
        error(id, known);
      } else {
        error(id, ErrorCode.INTERNAL_ERROR, "The execution failed.");
      }
      inbox.drain();
    });
  }

  /** A display or result frame: dropped like output when the client does not read. */
  private void bundleFrame(ConsoleRun owner, JsonObject frame) {
    if (socket.writeQueueFull()) {
      owner.outputDropped = true;
    } else {
      write(frame);
    }
  }

  /** A {@code KeyboardInterrupt} in the kernel's running execution; nothing when none runs. */
  private void interrupt() {
    requireKernel();
    context.kernels().interrupt(session.id());
  }

  /**
   * Ends the kernel's Python (a running execution's {@code exit} says {@code lost}); messages
   * after this one wait until it is gone, so that they reach the fresh kernel.
   */
  private void restart(String id) {
    requireKernel();
    restarting = true;
    context.kernels().restart(session.id()).onComplete(done -> {
      restarting = false;
      if (done.failed()) {
        error(id, ErrorCode.INTERNAL_ERROR, "The kernel could not be restarted.");
      }
      inbox.drain();
    });
  }

  private void requireKernel() {
    if (!session.kernel()) {
      throw new RefusedException(ErrorCode.NOT_A_KERNEL,
          "This session has no kernel: create it with \"kernel\": true to interrupt or restart it.");
    }
  }

  private void stdin(JsonObject message, String id) {
    if (run == null) {
      error(id, ErrorCode.NO_EXECUTION, "Nothing is running to read stdin.");
      return;
    }
    if (run.kernel) {
      error(id, ErrorCode.STDIN_REFUSED, "A kernel execution reads only the stdin of its execute message.");
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
    if (run.kernel) {
      // The kernel is the process: killing the run ends it, and the next execution starts afresh.
      run.killed = true;
      context.kernels().restart(session.id());
      return;
    }
    run.execution.kill();
  }

  /** Output frames: a client that does not read gets them dropped, never buffered forever. */
  private void output(ConsoleRun owner, SandboxEvents.Output output) {
    JsonObject frame = ConsoleFrames.output(owner.id, output);
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
    write(ConsoleFrames.error(id, code, message));
  }

  private void onClose() {
    closed = true;
    inbox.close();
    // A run still starting is killed as soon as it has started (see execute); a kernel's is
    // interrupted, which keeps the session's state.
    if (run != null && run.kernel) {
      context.kernels().interrupt(session.id());
    } else if (run != null && !run.starting()) {
      run.execution.kill();
    }
    if (endThrowaway != null) {
      if (run == null) {
        endThrowaway.run();
      } else {
        run.finished.future().onComplete(ended -> endThrowaway.run());
      }
    }
  }
}
