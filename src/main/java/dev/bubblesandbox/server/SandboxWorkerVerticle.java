package dev.bubblesandbox.server;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.sandbox.LaunchSpec;
import dev.bubblesandbox.sandbox.LauncherPool;
import dev.bubblesandbox.sandbox.output.OutputListener;
import dev.bubblesandbox.sandbox.warm.WarmPool;
import dev.bubblesandbox.sandbox.SandboxExecution;
import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.server.bus.Addresses;
import dev.bubblesandbox.server.bus.EventBusErrors;
import dev.bubblesandbox.server.bus.SandboxCommands;
import dev.bubblesandbox.server.bus.SandboxEvents;
import dev.bubblesandbox.server.bus.WorkerExecution;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts sandboxes on request, keeps each running one as a {@link WorkerExecution}, and sends their output, chunk by chunk, to each execution's own
 * address. Launching only starts bwrap (milliseconds); the runner watches and pumps each
 * execution on threads of its own, so no launch waits behind a running execution.
 */
final class SandboxWorkerVerticle extends VerticleBase {

  private static final Logger logger = LoggerFactory.getLogger(SandboxWorkerVerticle.class);

  private final SandboxRunner runner;
  private final WorkerSettings settings;
  private final Map<String, WorkerExecution> running = new ConcurrentHashMap<>();
  private final WarmPool warm;
  /** The runner's {@code sandbox-stdin} threads, shared by all executions' stdin writes. */
  private final Executor stdinWriters;
  private LauncherPool launchers;

  /** @param warm warm sandboxes, tried before a launch starts cold; closed when this stops */
  SandboxWorkerVerticle(SandboxRunner runner, WorkerSettings settings, WarmPool warm) {
    this.runner = runner;
    this.settings = settings;
    this.warm = warm;
    this.stdinWriters = runner.threads().stdinWriters();
  }

  @Override
  public Future<?> start() {
    launchers = runner.pool(settings.readyLaunches());
    // stop() is not called when start() fails: the ready shells and groups go here.
    Future<Void> warming = vertx.eventBus().<LaunchSpec>consumer(Addresses.KEEP_WARM,
        message -> warm.keepWarm(message.body())).completion();
    return Future.all(warming, vertx.eventBus().<SandboxCommands.Launch>consumer(Addresses.LAUNCH, this::launch).completion())
        .onFailure(failure -> {
          launchers.close();
          warm.close();
        });
  }

  /**
   * Kills whatever still runs (by now the API has stopped and the grace period is over) and
   * completes once those sandboxes are gone.
   */
  @Override
  public Future<?> stop() {
    List<Future<?>> ends = new ArrayList<>();
    for (WorkerExecution execution : running.values()) {
      execution.sandbox().kill();
      ends.add(Future.fromCompletionStage(execution.sandbox().result()).otherwiseEmpty());
    }
    launchers.close();
    warm.close();
    return Future.join(ends).timeout(10, TimeUnit.SECONDS).otherwiseEmpty();
  }

  private void launch(Message<SandboxCommands.Launch> message) {
    LaunchSpec spec = message.body().spec();
    EventBus eventBus = vertx.eventBus();
    String output = Addresses.output(spec.executionId());
    // Output comes from two pump threads and the end from the watcher thread: sending all of it
    // from this one context keeps the order (every chunk before the end) on the way to the API.
    Context sender = vertx.getOrCreateContext();
    SandboxExecution sandbox;
    try {
      OutputListener listener = (stream, text) -> sender.runOnContext(
          ignored -> eventBus.send(output, new SandboxEvents.Output(stream, text)));
      sandbox = warm.start(spec, listener).orElseGet(() -> launchers.start(spec, listener));
    } catch (BubbleSandboxException e) {
      // The full reason may name host paths: it is logged here, the client gets its own sentence.
      if (e.code().httpStatus() >= 500) {
        logger.error("sandbox launch failed: {}", e.getMessage(), kv("code", e.code().code()));
      } else {
        logger.info("sandbox launch refused: {}", e.getMessage(), kv("code", e.code().code()));
      }
      EventBusErrors.fail(message, e);
      return;
    } catch (RuntimeException e) {
      // A bug, not the host: the request still gets its answer.
      logger.error("sandbox launch failed", e);
      EventBusErrors.fail(message, ErrorCode.SANDBOX_UNAVAILABLE, ErrorCode.SANDBOX_UNAVAILABLE.defaultMessage());
      return;
    }
    WorkerExecution execution = new WorkerExecution(sandbox, stdinWriters);
    execution.feed(message.body().stdin(), message.body().closeStdin());
    running.put(spec.executionId(), execution);
    MessageConsumer<Object> control =
        eventBus.consumer(Addresses.control(spec.executionId()), execution::handle);
    sandbox.result().whenComplete((result, failure) -> sender.runOnContext(ignored -> {
      // A session's next execution finds its sandbox started.
      warm.keepWarm(spec);
      running.remove(spec.executionId());
      control.unregister();
      execution.shutdownStdin();
      if (failure instanceof BubbleSandboxException known) {
        // The sandbox did not start after all (see Launcher): the API logs why.
        eventBus.send(output, new SandboxEvents.Failed(known.code(), known.getMessage()));
      } else if (failure != null) {
        logger.error("sandbox watcher failed", failure);
        eventBus.send(output, new SandboxEvents.Failed(null, String.valueOf(failure.getMessage())));
      } else {
        eventBus.send(output, new SandboxEvents.Ended(result, sandbox.killed()));
      }
    }));
    message.reply(null);
  }
}
