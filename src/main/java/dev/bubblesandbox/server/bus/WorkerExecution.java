package dev.bubblesandbox.server.bus;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.sandbox.SandboxExecution;
import io.vertx.core.eventbus.Message;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A running execution as its sandbox worker keeps it: the {@link SandboxExecution}, and its
 * stdin writes, in order, on the worker's shared writer threads. Answers the {@link SandboxCommands} a
 * {@link ClientExecution} sends.
 */
public final class WorkerExecution {

  /** Stdin accepted but not yet written; past it, stdin is refused until the process reads. */
  private static final long MAX_PENDING_STDIN_BYTES = 1 << 20;

  private final SandboxExecution sandbox;
  private final Executor writers;
  private final AtomicLong pendingStdin = new AtomicLong();
  /** The last stdin write or close asked for: each runs after the one before, in order. */
  private CompletableFuture<Void> stdin = CompletableFuture.completedFuture(null);
  private volatile boolean ended;

  /** @param writers the worker's shared stdin threads */
  public WorkerExecution(SandboxExecution sandbox, Executor writers) {
    this.sandbox = sandbox;
    this.writers = writers;
  }

  public SandboxExecution sandbox() {
    return sandbox;
  }

  /** The launch's own stdin, written (and closed, for a non-interactive execution) in order. */
  public void feed(String data, boolean close) {
    if (!data.isEmpty()) {
      byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
      pendingStdin.addAndGet(bytes.length);
      write(bytes);
    }
    if (close) {
      then(sandbox::closeStdin);
    }
  }

  /** Carries out one command from the execution's control address, and answers it. */
  public void handle(Message<Object> message) {
    Object body = message.body();
    if (body instanceof SandboxCommands.Kill) {
      sandbox.kill();
      message.reply(null);
    } else if (body instanceof SandboxCommands.Stdin stdinText) {
      byte[] bytes = stdinText.data().getBytes(StandardCharsets.UTF_8);
      if (pendingStdin.addAndGet(bytes.length) > MAX_PENDING_STDIN_BYTES) {
        pendingStdin.addAndGet(-bytes.length);
        EventBusErrors.fail(message, ErrorCode.STDIN_REFUSED,
            "The process is not reading its stdin; wait before sending more.");
        return;
      }
      write(bytes);
      message.reply(null);
    } else if (body instanceof SandboxCommands.StdinEof) {
      then(sandbox::closeStdin);
      message.reply(null);
    }
  }

  private void write(byte[] bytes) {
    then(() -> {
      try {
        sandbox.writeStdin(bytes);
      } catch (IOException e) {
        // the process closed its stdin or ended: nothing more will be read
      } finally {
        pendingStdin.addAndGet(-bytes.length);
      }
    });
  }

  /** Runs {@code step} on a shared writer thread once the steps before it are done. */
  private synchronized void then(Runnable step) {
    stdin = stdin.thenRunAsync(() -> {
      if (!ended) {
        step.run();
      }
    }, writers);
  }

  /** Drops the stdin not yet written and closes the pipe: the execution has ended. */
  public synchronized void shutdownStdin() {
    ended = true;
    stdin = stdin.thenRunAsync(sandbox::closeStdin, writers);
  }
}
