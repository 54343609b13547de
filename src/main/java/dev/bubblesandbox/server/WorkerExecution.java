package dev.bubblesandbox.server;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.sandbox.SandboxExecution;
import io.vertx.core.eventbus.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A running execution as its sandbox worker keeps it: the {@link SandboxExecution}, and the
 * thread (made on first use) that writes its stdin. Answers the {@link SandboxCommands} a
 * {@link ClientExecution} sends.
 */
final class WorkerExecution {

  /** Stdin accepted but not yet written; past it, stdin is refused until the process reads. */
  private static final long MAX_PENDING_STDIN_BYTES = 1 << 20;

  private final SandboxExecution sandbox;
  private final AtomicLong pendingStdin = new AtomicLong();
  private ExecutorService stdinWriter;

  WorkerExecution(SandboxExecution sandbox) {
    this.sandbox = sandbox;
  }

  SandboxExecution sandbox() {
    return sandbox;
  }

  /** Carries out one command from the execution's control address, and answers it. */
  void handle(Message<Object> message) {
    Object body = message.body();
    if (body instanceof SandboxCommands.Kill) {
      sandbox.kill();
      message.reply(null);
    } else if (body instanceof SandboxCommands.Stdin stdin) {
      byte[] bytes = stdin.data().getBytes(StandardCharsets.UTF_8);
      if (pendingStdin.addAndGet(bytes.length) > MAX_PENDING_STDIN_BYTES) {
        pendingStdin.addAndGet(-bytes.length);
        EventBusErrors.fail(message, ErrorCode.STDIN_REFUSED,
            "The process is not reading its stdin; wait before sending more.");
        return;
      }
      writer().execute(() -> {
        try {
          sandbox.writeStdin(bytes);
        } catch (IOException e) {
          // the process closed its stdin or ended: nothing more will be read
        } finally {
          pendingStdin.addAndGet(-bytes.length);
        }
      });
      message.reply(null);
    } else if (body instanceof SandboxCommands.StdinEof) {
      writer().execute(sandbox::closeStdin);
      message.reply(null);
    }
  }

  private synchronized ExecutorService writer() {
    if (stdinWriter == null) {
      // Writes block while the pipe is full; they must not hold a worker or event-loop thread.
      stdinWriter = Executors.newSingleThreadExecutor(runnable -> {
        Thread thread = new Thread(runnable, "sandbox-stdin");
        thread.setDaemon(true);
        return thread;
      });
    }
    return stdinWriter;
  }

  /** Stops the stdin writer: the execution has ended. */
  synchronized void shutdownStdin() {
    if (stdinWriter != null) {
      stdinWriter.shutdownNow();
    }
  }
}
