package dev.bubblesandbox.server;

import dev.bubblesandbox.sandbox.ExecutionResult;
import dev.bubblesandbox.sandbox.OutputListener;
import dev.bubblesandbox.session.SessionService;
import dev.bubblesandbox.session.Tenant;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/**
 * The bubble_sandbox_* metrics of SPEC §7. Every series whose labels are known at start-up (the
 * environments present, the kinds, outcomes and limits, the refusal codes) exists from then on
 * at zero, so that a dashboard of a fresh server shows zeros, not "no data".
 */
final class SandboxMetrics {

  /** How an execution ended, as the {@code outcome} label says it. */
  enum Outcome {
    OK,
    ERROR,
    TIMEOUT,
    KILLED;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Which API ran an execution, as the {@code kind} label says it. */
  enum Kind {
    ONE_SHOT,
    SESSION,
    CONSOLE;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The {@code start} label: a sandbox started ahead ran it, or one started for it. */
  private static final List<String> STARTS = List.of(ExecutionResult.START_WARM, ExecutionResult.START_COLD);

  /** The {@code limit} label of an execution that no limit ended or cut. */
  static final String NO_LIMIT = "none";

  /** The limits a result can name besides the timeout (see {@link ExecutionResult#limit()}). */
  private static final List<String> LIMITS_BESIDES_TIMEOUT = List.of(NO_LIMIT, "memory", "pids",
      ExecutionResult.LIMIT_OUTPUT);

  private final MeterRegistry registry;

  /** @param tenants the configured tenants: the only values of the {@code tenant} label */
  SandboxMetrics(MeterRegistry registry, SessionService sessions, List<Tenant> tenants) {
    this.registry = registry;
    for (Tenant tenant : tenants) {
      Gauge.builder("bubble_sandbox_tenant_sessions", sessions,
              s -> s.all().stream().filter(session -> tenant.owns(session.id())).count())
          .description("Sessions of each tenant on this node").tag("tenant", tenant.name()).register(registry);
    }
    Gauge.builder("bubble_sandbox_sessions_active", sessions, s -> s.all().size())
        .description("Sessions that exist now").register(registry);
    Gauge.builder("bubble_sandbox_sessions_max", sessions, SessionService::capacity)
        .description("The bound on sessions and one-shot executions").register(registry);
    Gauge.builder("bubble_sandbox_slots_used", sessions, SessionService::slotsUsed)
        .description("Slots taken by sessions and running one-shot executions").register(registry);
    startTime();
    for (OutputListener.Stream stream : OutputListener.Stream.values()) {
      outputBytes(stream);
    }
  }

  /**
   * Registers at zero the series a dashboard expects before anything happened: per environment
   * and kind, each outcome with each limit it can come with, and each refusal code.
   */
  void registerKnown(Collection<String> environments, Collection<String> refusalCodes) {
    for (String environment : environments) {
      for (Kind kind : Kind.values()) {
        duration(environment, kind);
        for (String start : STARTS) {
          executions(environment, kind, Outcome.TIMEOUT, ExecutionResult.LIMIT_TIMEOUT, start);
          for (Outcome outcome : List.of(Outcome.OK, Outcome.ERROR, Outcome.KILLED)) {
            for (String limit : LIMITS_BESIDES_TIMEOUT) {
              executions(environment, kind, outcome, limit, start);
            }
          }
        }
      }
    }
    refusalCodes.forEach(this::rejections);
  }

  /**
   * Counts an ended execution.
   *
   * @param limit the limit that ended or cut it, as the result names it, or null for none
   * @param start {@code warm} or {@code cold}, as the result says
   */
  void executionEnded(String environment, Kind kind, Outcome outcome, String limit, String start,
      Duration duration) {
    executions(environment, kind, outcome, limit == null ? NO_LIMIT : limit, start).increment();
    duration(environment, kind).record(duration);
  }

  /** Records how long a sandbox took to start: see {@link ExecutionService}. */
  void sandboxStarted(Duration sinceLaunch) {
    startTime().record(sinceLaunch);
  }

  void rejected(String reason) {
    rejections(reason).increment();
  }

  void output(OutputListener.Stream stream, long bytes) {
    outputBytes(stream).increment(bytes);
  }

  /** The warm sandboxes waiting for {@code environment}'s executions, as {@code waiting} counts them. */
  void warmSandboxes(String environment, java.util.function.Supplier<Number> waiting) {
    Gauge.builder("bubble_sandbox_warm_sandboxes", waiting)
        .description("Sandboxes started ahead and waiting for an execution, by environment")
        .tag("environment", environment)
        .register(registry);
  }

  private Counter executions(String environment, Kind kind, Outcome outcome, String limit, String start) {
    return Counter.builder("bubble_sandbox_executions")
        .description("Executions by environment, kind (one_shot, session, console), outcome, the limit "
            + "that ended or cut them (timeout, memory, pids, output or none) and start (warm or cold)")
        .tag("environment", environment)
        .tag("kind", kind.label())
        .tag("outcome", outcome.label())
        .tag("limit", limit)
        .tag("start", start)
        .register(registry);
  }

  private Timer duration(String environment, Kind kind) {
    return Timer.builder("bubble_sandbox_execution_duration")
        .description("Wall-clock time of executions, by environment and kind")
        .tag("environment", environment)
        .tag("kind", kind.label())
        .serviceLevelObjectives(buckets(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300))
        .register(registry);
  }

  private Timer startTime() {
    return Timer.builder("bubble_sandbox_sandbox_start")
        .description("From an execution's launch request to its sandbox launcher told to go "
            + "(bwrap being exec'd), whatever the script then does")
        .serviceLevelObjectives(buckets(0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
        .register(registry);
  }

  private Counter rejections(String reason) {
    return Counter.builder("bubble_sandbox_rejections")
        .description("Refused requests by reason")
        .tag("reason", reason)
        .register(registry);
  }

  private Counter outputBytes(OutputListener.Stream stream) {
    return Counter.builder("bubble_sandbox_output_bytes")
        .description("Output bytes streamed from sandboxes, by stream")
        .tag("stream", stream.name().toLowerCase(Locale.ROOT))
        .register(registry);
  }

  /** Histogram buckets, in seconds. */
  private static Duration[] buckets(double... seconds) {
    Duration[] durations = new Duration[seconds.length];
    for (int i = 0; i < seconds.length; i++) {
      durations[i] = Duration.ofNanos((long) (seconds[i] * 1e9));
    }
    return durations;
  }
}
