package dev.bubblesandbox.server.execution;

import static net.logstash.logback.argument.StructuredArguments.kv;

import dev.bubblesandbox.environment.ReadyEnvironment;
import dev.bubblesandbox.sandbox.kernel.KernelListener;
import dev.bubblesandbox.sandbox.kernel.KernelResult;
import dev.bubblesandbox.sandbox.kernel.KernelState;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import dev.bubblesandbox.sandbox.LaunchSpec;
import dev.bubblesandbox.sandbox.Volume;
import dev.bubblesandbox.server.bus.Addresses;
import dev.bubblesandbox.server.bus.ClientExecution;
import dev.bubblesandbox.server.bus.SandboxClient;
import dev.bubblesandbox.server.bus.SandboxEvents;
import dev.bubblesandbox.server.metrics.SandboxMetrics;
import dev.bubblesandbox.server.web.ServerContext;
import dev.bubblesandbox.session.OneShotSlot;
import dev.bubblesandbox.session.SessionLease;
import dev.bubblesandbox.session.SessionSettings;
import dev.bubblesandbox.sandbox.Program;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs executions for the HTTP API and the console: prepares the launch off the event loop,
 * launches through the workers, and on the end records metrics and releases what the execution
 * held: the session's lease, or a one-shot's slot.
 */
public final class ExecutionService {

  private static final Logger logger = LoggerFactory.getLogger(ExecutionService.class);

  private final ServerContext context;
  private final SandboxClient client;

  public ExecutionService(Vertx vertx, ServerContext context) {
    this.context = context;
    this.client = new SandboxClient(vertx);
  }

  /**
   * Runs in the session that {@code lease} holds, and closes the lease once the execution has
   * ended or could not start.
   *
   * @param interactive keep stdin open for later input (the console) instead of closing it after
   *     the request's {@code stdin}
   */
  public Future<ClientExecution> startInSession(SessionLease lease, ExecuteRequest request,
      boolean interactive, Handler<SandboxEvents.Output> onOutput) {
    return context.blocking().executeBlocking(() -> {
          ReadyEnvironment environment = context.environments().require(lease.settings().environment());
          return spec(environment, Optional.of(lease.workspace()), volumes(context, lease.settings()), request);
        })
        .compose(spec -> launch(spec, lease.sessionId(),
            interactive ? SandboxMetrics.Kind.CONSOLE : SandboxMetrics.Kind.SESSION, request, interactive,
            onOutput, lease::close))
        .onFailure(failure -> lease.close());
  }

  /**
   * Runs the request's script in the kernel of the kernel session that {@code lease} holds (its
   * kernel opened first when it has none), and closes the lease once it has answered.
   * {@code listener} hears the output, displays and result on this context, in order, all before
   * the future completes.
   */
  public Future<KernelResult> startInKernel(SessionLease lease, ExecuteRequest request, KernelListener listener) {
    String code = request.script().orElseThrow(() -> new IllegalArgumentException("a kernel runs scripts only"));
    String executionId = UUID.randomUUID().toString();
    String environment = lease.settings().environment();
    context.metrics().executionStarted();
    logger.info("execution started", kv("execution_id", executionId), kv("session_id", lease.sessionId()),
        kv("environment", environment), kv("kernel", true));
    KernelListener measured = new KernelListener() {
      @Override
      public void onOutput(Stream stream, String text) {
        context.metrics().output(stream, text.getBytes(StandardCharsets.UTF_8).length);
        listener.onOutput(stream, text);
      }

      @Override
      public void onDisplay(java.util.Map<String, Object> bundle) {
        listener.onDisplay(bundle);
      }

      @Override
      public void onResult(java.util.Map<String, Object> bundle) {
        listener.onResult(bundle);
      }
    };
    // The template is made on the kernel's thread, and only for its first execution: the
    // environment's check reads files.
    return context.kernels().execute(lease.sessionId(),
            () -> new LaunchSpec(executionId, context.environments().require(environment),
                Optional.of(lease.workspace()), volumes(context, lease.settings()), Program.python(""),
                context.limits()),
            code, request.stdin(), request.limits(), measured)
        .onComplete(ended -> {
          lease.close();
          context.metrics().executionFinished();
          if (ended.failed()) {
            logger.info("execution failed", kv("execution_id", executionId), kv("session_id", lease.sessionId()),
                kv("reason", String.valueOf(ended.cause().getMessage())));
            return;
          }
          KernelResult kernel = ended.result();
          ExecutionResult result = kernel.execution();
          SandboxMetrics.Outcome outcome = result.timedOut() ? SandboxMetrics.Outcome.TIMEOUT
              : kernel.error() == null && kernel.kernel() != KernelState.LOST && result.returnCode() == 0
              ? SandboxMetrics.Outcome.OK : SandboxMetrics.Outcome.ERROR;
          context.metrics().executionEnded(environment, SandboxMetrics.Kind.KERNEL, outcome, result.limit(),
              result.start(), Duration.ofMillis(result.durationMs()));
          context.metrics().resourcesUsed(result.cpuTimeMs(), result.memoryPeakBytes());
          logger.info("execution finished", kv("execution_id", executionId), kv("session_id", lease.sessionId()),
              kv("environment", environment), kv("outcome", outcome.name().toLowerCase()),
              kv("execution_count", kernel.executionCount()), kv("kernel", kernel.kernel().json()),
              kv("duration_ms", result.durationMs()));
        });
  }

  /** Runs in a scratch work dir, holding a session slot while it runs. */
  public Future<ClientExecution> startOneShot(String environmentName, ExecuteRequest request,
      Handler<SandboxEvents.Output> onOutput) {
    OneShotSlot slot = context.sessions().takeOneShotSlot();
    return context.blocking()
        .executeBlocking(() -> spec(context.environments().require(environmentName), Optional.empty(),
            List.of(), request))
        .compose(spec -> launch(spec, null, SandboxMetrics.Kind.ONE_SHOT, request, false, onOutput, slot::close))
        .onFailure(failure -> slot.close());
  }

  /** The volumes a session's sandboxes mount. */
  static List<Volume> volumes(ServerContext context, SessionSettings settings) {
    return settings.volumes().entrySet().stream()
        .map(v -> new Volume(v.getKey(), context.workspaces().volume(v.getKey(), v.getValue()), v.getValue()))
        .toList();
  }

  /**
   * Asks the workers for the warm sandbox of a new session's first execution (blocking: call it
   * off the event loop).
   */
  public static void keepWarm(Vertx vertx, ServerContext context, String sessionId) {
    try (SessionLease lease = context.sessions().leaseFiles(sessionId)) {
      ReadyEnvironment environment = context.environments().require(lease.settings().environment());
      vertx.eventBus().send(Addresses.KEEP_WARM, new LaunchSpec(UUID.randomUUID().toString(), environment,
          Optional.of(lease.workspace()), volumes(context, lease.settings()), Program.python(""), context.limits()));
    } catch (RuntimeException e) {
      // Only a head start is lost: the first execution starts cold.
      logger.info("no warm sandbox for the new session", kv("session_id", sessionId), kv("reason", e.getMessage()));
    }
  }

  private LaunchSpec spec(ReadyEnvironment environment, Optional<Path> workDir, List<Volume> volumes,
      ExecuteRequest request) {
    return new LaunchSpec(UUID.randomUUID().toString(), environment, workDir, volumes,
        request.program(), request.limits());
  }

  /**
   * Launches {@code spec}. The sandbox's start is measured from here to the worker's answer that
   * the launcher was told to go (bwrap is being exec'd): the part of the start the server
   * controls (a ready launcher or a new one, its limits, the hops between threads), and
   * unaffected by what the script then does. bwrap's own set-up and the interpreter's start
   * count in the execution's duration.
   */
  private Future<ClientExecution> launch(LaunchSpec spec, String sessionId, SandboxMetrics.Kind kind,
      ExecuteRequest request, boolean interactive, Handler<SandboxEvents.Output> onOutput,
      Runnable onEnd) {
    long launchedAt = System.nanoTime();
    String environment = spec.environment().name();
    Handler<SandboxEvents.Output> measured = output -> {
      context.metrics().output(output.stream(), output.text().getBytes(StandardCharsets.UTF_8).length);
      onOutput.handle(output);
    };
    return client.launch(spec, request.stdin(), !interactive, measured).onSuccess(execution -> {
      context.metrics().sandboxStarted(Duration.ofNanos(System.nanoTime() - launchedAt));
      context.metrics().executionStarted();
      logger.info("execution started", kv("execution_id", spec.executionId()),
          kv("session_id", sessionId), kv("environment", environment));
      execution.ended().onComplete(ended -> {
        context.metrics().executionFinished();
        onEnd.run();
        if (ended.failed()) {
          logger.error("execution failed", kv("execution_id", spec.executionId()), ended.cause());
          return;
        }
        ExecutionResult result = ended.result().result();
        SandboxMetrics.Outcome outcome = ended.result().killed() ? SandboxMetrics.Outcome.KILLED
            : result.timedOut() ? SandboxMetrics.Outcome.TIMEOUT
            : result.returnCode() == 0 ? SandboxMetrics.Outcome.OK : SandboxMetrics.Outcome.ERROR;
        context.metrics().executionEnded(environment, kind, outcome, result.limit(), result.start(),
            Duration.ofMillis(result.durationMs()));
        context.metrics().resourcesUsed(result.cpuTimeMs(), result.memoryPeakBytes());
        logger.info("execution finished", kv("execution_id", spec.executionId()),
            kv("session_id", sessionId), kv("environment", environment),
            kv("return_code", result.returnCode()), kv("outcome", outcome.name().toLowerCase()),
            kv("duration_ms", result.durationMs()));
      });
    });
  }
}
