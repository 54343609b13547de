package dev.bubblesandbox.server.bus;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.sandbox.LaunchSpec;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The API side of the event-bus conversation with the sandbox workers: launches, and hands back
 * a {@link ClientExecution} (see {@link dev.bubblesandbox.sandbox.SandboxExecution} for the names).
 */
public final class SandboxClient {

  private static final Logger logger = LoggerFactory.getLogger(SandboxClient.class);

  private final Vertx vertx;

  public SandboxClient(Vertx vertx) {
    this.vertx = vertx;
  }

  /**
   * Launches {@code spec}; {@code onOutput} receives each chunk on the caller's context. The
   * returned future completes once bwrap runs.
   */
  public Future<ClientExecution> launch(LaunchSpec spec, String stdin, boolean closeStdin,
      Handler<SandboxEvents.Output> onOutput) {
    Promise<SandboxEvents.Ended> ended = Promise.promise();
    // Listen before launching, so not even the first chunk can be missed.
    MessageConsumer<Object> consumer = vertx.eventBus().localConsumer(Addresses.output(spec.executionId()));
    consumer.handler(message -> {
      Object body = message.body();
      if (body instanceof SandboxEvents.Output output) {
        onOutput.handle(output);
      } else if (body instanceof SandboxEvents.Ended end) {
        consumer.unregister();
        ended.tryComplete(end);
      } else if (body instanceof SandboxEvents.Failed failed) {
        consumer.unregister();
        ended.tryFail(failed.code() == null ? new IllegalStateException(failed.message())
            : notStarted(failed));
      }
    });
    return vertx.eventBus().request(Addresses.LAUNCH, new SandboxCommands.Launch(spec, stdin, closeStdin))
        .<ClientExecution>map(reply -> new ClientExecution(vertx, spec.executionId(), ended.future()))
        .recover(failure -> {
          consumer.unregister();
          return Future.failedFuture(launchFailure(failure));
        });
  }

  /**
   * The worker's refusal with its own code (the worker logged its full reason); anything else
   * (no worker answered in time) as the sandbox being unavailable.
   */
  private static Throwable launchFailure(Throwable failure) {
    Throwable rebuilt = EventBusErrors.rebuild(failure);
    if (rebuilt instanceof BubbleSandboxException) {
      return rebuilt;
    }
    logger.error("sandbox launch failed: {}", failure.getMessage());
    return new RefusedException(ErrorCode.SANDBOX_UNAVAILABLE, ErrorCode.SANDBOX_UNAVAILABLE.defaultMessage());
  }

  /** A sandbox that did not start after all: its reason (which may name host paths) is logged. */
  private static Throwable notStarted(SandboxEvents.Failed failed) {
    logger.error("sandbox launch failed: {}", failed.message());
    return new RefusedException(failed.code(), failed.code().defaultMessage());
  }
}
