package dev.bubblesandbox.server.metrics;

import dev.bubblesandbox.BuildVersion;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import dev.bubblesandbox.sandbox.output.OutputListener;
import dev.bubblesandbox.session.SessionService;
import dev.bubblesandbox.session.Tenant;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bubble_sandbox_* metrics of SPEC §7. Every series whose labels are known at start-up (the
 * environments present, the kinds, outcomes and limits, the refusal codes) exists from then on
 * at zero, so that a dashboard of a fresh server shows zeros, not "no data".
 */
public final class SandboxMetrics {

  /** How an execution ended, as the {@code outcome} label says it. */
  public enum Outcome {
    OK,
    ERROR,
    TIMEOUT,
    KILLED;

    String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Which API ran an execution, as the {@code kind} label says it. */
  public enum Kind {
    ONE_SHOT,
    SESSION,
    CONSOLE,
    /** A script of a kernel session, over HTTP or the console, run in its kernel. */
    KERNEL;

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
  private final SessionService sessions;
  private final AtomicInteger inFlight = new AtomicInteger();
  /** What {@link #refresh} last found: read by gauges on the event loop, which must not do I/O. */
  private final Map<String, Integer> environmentReady = new ConcurrentHashMap<>();
  private final AtomicLong workspaceBytes = new AtomicLong();
  private final AtomicLong workspaceFreeBytes = new AtomicLong();
  private final AtomicLong loopDevices = new AtomicLong();
  private final AtomicLong warmMemoryBytes = new AtomicLong();

  /**
   * Counts the sessions of each of {@code tenants}: those configured at start-up, and those a
   * reloaded {@code api_keys} adds (one already counted keeps its gauge).
   */
  public void tenants(List<Tenant> tenants) {
    for (Tenant tenant : tenants) {
      Gauge.builder("bubble_sandbox_tenant_sessions", sessions,
              s -> s.all().stream().filter(session -> tenant.owns(session.id())).count())
          .description("Sessions of each tenant on this node").tag("tenant", tenant.name()).register(registry);
    }
  }

  /** @param tenants the configured tenants: the only values of the {@code tenant} label */
  public SandboxMetrics(MeterRegistry registry, SessionService sessions, List<Tenant> tenants) {
    this.registry = registry;
    this.sessions = sessions;
    tenants(tenants);
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
    if (registry instanceof io.micrometer.prometheusmetrics.PrometheusMeterRegistry prometheus) {
      // An info series of Prometheus' own: Micrometer would strip a gauge's "_info" suffix.
      io.prometheus.metrics.core.metrics.Info.builder().name("bubble_sandbox_build_info")
          .help("Always 1; the version label says which build answers").labelNames("version")
          .register(prometheus.getPrometheusRegistry())
          .addLabelValues(BuildVersion.current());
    }
    Gauge.builder("process_resident_memory_bytes", () -> ProcessFacts.residentBytes())
        .description("Resident memory of the server process (VmRSS)").register(registry);
    Gauge.builder("process_open_fds", () -> ProcessFacts.openDescriptors())
        .description("Open file descriptors of the server process").register(registry);
    Gauge.builder("bubble_sandbox_executions_in_flight", inFlight, AtomicInteger::get)
        .description("Executions running now, of every kind").register(registry);
    Gauge.builder("bubble_sandbox_workspace_bytes", workspaceBytes, AtomicLong::get)
        .description("Bytes of files in session workspaces").baseUnit("bytes").register(registry);
    Gauge.builder("bubble_sandbox_workspace_disk_free_bytes", workspaceFreeBytes, AtomicLong::get)
        .description("Free bytes on the file system of workspace_dir").register(registry);
    Gauge.builder("bubble_sandbox_loop_devices", loopDevices, AtomicLong::get)
        .description("Size-limited session workspaces mounted now (one loop device each)").register(registry);
    Gauge.builder("bubble_sandbox_warm_sandboxes_memory_bytes", warmMemoryBytes, AtomicLong::get)
        .description("Memory held by warm sandboxes waiting for an execution").register(registry);
    peakMemory();
    cpuTime();
    fileBytes(UPLOAD);
    fileBytes(DOWNLOAD);
    internalErrors();
  }

  private static final String UPLOAD = "upload";
  private static final String DOWNLOAD = "download";

  /**
   * Registers at zero the series a dashboard expects before anything happened: per environment
   * and kind, each outcome with each limit it can come with, and each refusal code.
   */
  public void registerKnown(Collection<String> environments, Collection<String> refusalCodes) {
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
    for (String environment : environments) {
      environmentReady(environment);
    }
  }

  /** The values gauges cannot read on the event loop, found off it (see BubbleSandboxServer). */
  public record Snapshot(Map<String, Boolean> environmentsReady, long workspaceBytes, long workspaceFreeBytes,
      long loopDevices, long warmMemoryBytes) {}

  public void refresh(Snapshot snapshot) {
    snapshot.environmentsReady().forEach((environment, ready) -> {
      environmentReady(environment);
      environmentReady.put(environment, ready ? 1 : 0);
    });
    environmentReady.keySet().retainAll(snapshot.environmentsReady().keySet());
    workspaceBytes.set(snapshot.workspaceBytes());
    workspaceFreeBytes.set(snapshot.workspaceFreeBytes());
    loopDevices.set(snapshot.loopDevices());
    warmMemoryBytes.set(snapshot.warmMemoryBytes());
  }

  private void environmentReady(String environment) {
    Gauge.builder("bubble_sandbox_environment_ready", environmentReady,
            ready -> ready.getOrDefault(environment, 0))
        .description("1 when the environment can run (synced, valid), 0 otherwise")
        .tag("environment", environment).register(registry);
  }

  /** An execution's sandbox started: it is in flight until {@link #executionFinished}. */
  public void executionStarted() {
    inFlight.incrementAndGet();
  }

  /** An execution ended, with a result or without one. */
  public void executionFinished() {
    inFlight.decrementAndGet();
  }

  /** What one execution used, when its host can measure it (null otherwise). */
  public void resourcesUsed(Long cpuTimeMs, Long memoryPeakBytes) {
    if (cpuTimeMs != null) {
      cpuTime().record(Duration.ofMillis(cpuTimeMs));
    }
    if (memoryPeakBytes != null) {
      peakMemory().record(memoryPeakBytes);
    }
  }

  public void uploaded(long bytes) {
    fileBytes(UPLOAD).increment(bytes);
  }

  public void downloaded(long bytes) {
    fileBytes(DOWNLOAD).increment(bytes);
  }

  /** A failure no handler expected: ErrorResponses logged it and answered 500. */
  public void internalError() {
    internalErrors().increment();
  }

  private DistributionSummary peakMemory() {
    return DistributionSummary.builder("bubble_sandbox_execution_memory_peak")
        .description("Peak memory of each execution's sandbox")
        .baseUnit("bytes")
        .serviceLevelObjectives(mebibytes(1, 4, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096))
        .register(registry);
  }

  private Timer cpuTime() {
    return Timer.builder("bubble_sandbox_execution_cpu")
        .description("CPU time (user and system) of each execution's sandbox")
        .serviceLevelObjectives(buckets(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300))
        .register(registry);
  }

  private Counter fileBytes(String direction) {
    return Counter.builder("bubble_sandbox_file_bytes")
        .description("Bytes of workspace files through the files API, by direction (upload, download)")
        .baseUnit("bytes")
        .tag("direction", direction)
        .register(registry);
  }

  private Counter internalErrors() {
    return Counter.builder("bubble_sandbox_internal_errors")
        .description("Unexpected failures answered with 500 (each is logged at ERROR)")
        .register(registry);
  }

  private static double[] mebibytes(double... values) {
    double[] bytes = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      bytes[i] = values[i] * (1 << 20);
    }
    return bytes;
  }

  /**
   * Counts an ended execution.
   *
   * @param limit the limit that ended or cut it, as the result names it, or null for none
   * @param start {@code warm} or {@code cold}, as the result says
   */
  public void executionEnded(String environment, Kind kind, Outcome outcome, String limit, String start,
      Duration duration) {
    executions(environment, kind, outcome, limit == null ? NO_LIMIT : limit, start).increment();
    duration(environment, kind).record(duration);
  }

  /**
   * Records how long a sandbox took to start: see
   * {@link dev.bubblesandbox.server.execution.ExecutionService}.
   */
  public void sandboxStarted(Duration sinceLaunch) {
    startTime().record(sinceLaunch);
  }

  public void rejected(String reason) {
    rejections(reason).increment();
  }

  public void output(OutputListener.Stream stream, long bytes) {
    outputBytes(stream).increment(bytes);
  }

  /** The warm sandboxes waiting for {@code environment}'s executions, as {@code waiting} counts them. */
  public void warmSandboxes(String environment, java.util.function.Supplier<Number> waiting) {
    Gauge.builder("bubble_sandbox_warm_sandboxes", waiting)
        .description("Sandboxes started ahead and waiting for an execution, by environment")
        .tag("environment", environment)
        .register(registry);
  }

  private Counter executions(String environment, Kind kind, Outcome outcome, String limit, String start) {
    return Counter.builder("bubble_sandbox_executions")
        .description("Executions by environment, kind (one_shot, session, console, kernel), outcome, the limit "
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
