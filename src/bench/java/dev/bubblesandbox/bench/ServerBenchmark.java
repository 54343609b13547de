package dev.bubblesandbox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bubblesandbox.HostFiles;
import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.config.SettingsLoader;
import dev.bubblesandbox.environment.EnvironmentCatalog;
import dev.bubblesandbox.environment.ReadyEnvironment;
import dev.bubblesandbox.sandbox.LaunchSpec;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.sandbox.SandboxUser;
import dev.bubblesandbox.server.BubbleSandboxServer;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One-shot {@code print(1)} executions through a real server started in this process (loopback
 * only, random port, a temporary workspace) against the same number of raw launches of the
 * command line the server runs ({@link SandboxRunner#command}: the same setpriv prefix, bwrap
 * arguments and Python), at the same concurrency; and the server's resident memory early and
 * after many executions. Two diagnostic kinds tell what the limits cost from what the server
 * costs: the raw command with the limits alone ({@link LimitedRawLaunch}: a fresh limited group
 * and the seccomp filter, no server), and a second server of the same settings whose runner has
 * no cgroup limits and no seccomp filter ({@link SandboxRunner#createWithoutLimits}). Each
 * kind's CPU (this JVM by thread, the sandbox
 * processes, the whole machine) is printed so that a missed target can be explained.
 *
 * <p>Every loop is bounded by a count and every wait by a timeout.
 */
public final class ServerBenchmark {

  /** What to measure; see {@code bench/server-bench.sh --help}. */
  public record Options(int executions, List<Integer> concurrency, int rounds, int warmup, int rssRuns,
      String environment, String logLevel, Optional<Path> configFile, int latencyRuns, long latencyPauseMillis) {

    public Options {
      concurrency = List.copyOf(concurrency);
    }
  }

  /** Executions after which the first RSS reading is taken. */
  public static final int RSS_EARLY_RUNS = 10;

  static final String SCRIPT = "print(1)";
  static final String EXPECTED_STDOUT = "1\n";

  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
  private static final long PHASE_TIMEOUT_MINUTES = 30;
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The threads of java.net.http.HttpClient: with the workers, the client side's CPU. */
  private static final String CLIENT_THREADS = "HttpClient-";

  private final Options options;
  private final PrintStream out;

  public ServerBenchmark(Options options, PrintStream out) {
    this.options = options;
    this.out = out;
  }

  /** One executed sandbox; {@code worker} is the index of the calling thread in its phase. */
  @FunctionalInterface
  interface Launch {
    void run(int worker) throws Exception;
  }

  /** Runs every phase and prints the results; throws when any execution went wrong. */
  public void run() throws Exception {
    int maxConcurrency = Collections.max(options.concurrency());
    Path root = Files.createTempDirectory("bubble-sandbox-bench-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx--x--x")));
    try {
      Settings settings = forBenchmark(root.resolve("workspace"), maxConcurrency, false);
      SandboxUser user = SandboxUser.forCurrentProcess(settings.sandboxUid());
      SandboxRunner runner = SandboxRunner.create(user);
      ReadyEnvironment environment =
          new EnvironmentCatalog(settings.environmentsDir()).require(options.environment());
      // Raw bwrap: the product's own argv (a scratch tmpfs work dir, as one-shot executions
      // have), without the launcher: no cgroups, no seccomp filter.
      List<String> rawCommand = runner.command(new LaunchSpec("bench-raw", environment,
          Optional.empty(), List.of(), List.of("python", "-c", SCRIPT), ExecutionLimits.from(settings)));

      LimitedRawLaunch limited = new LimitedRawLaunch(runner.resources(),
          ExecutionLimits.from(settings).resources(), rawCommand, root.resolve("seccomp.bpf"));

      BubbleSandboxServer server = BubbleSandboxServer.start(settings).get(60, TimeUnit.SECONDS);
      BubbleSandboxServer unlimited = BubbleSandboxServer.start(
          forBenchmark(root.resolve("workspace-unlimited"), maxConcurrency, true),
          SandboxRunner.createWithoutLimits(user)).get(60, TimeUnit.SECONDS);
      try {
        measure(server, unlimited, settings, user, rawCommand, limited);
        if (options.latencyRuns() > 0) {
          out.println();
          StartLatency.Ratios latency = new StartLatency(HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build(),
              server.port(), runner, new EnvironmentCatalog(settings.environmentsDir()),
              ExecutionLimits.from(settings), out, options.latencyRuns(), options.latencyPauseMillis()).run();
          out.println("targets (an execution that finds the server idle, p50 against a raw cold launch):");
          verdict("one-shot print(1) server / raw", latency.print(), 0.5, true);
          if (!Double.isNaN(latency.pandas())) {
            verdict("one-shot pandas server / raw", latency.pandas(), 0.1, true);
          }
          verdict("session print(1) server / raw", latency.session(), 0.5, true);
        }
      } finally {
        server.stop().get(90, TimeUnit.SECONDS);
        unlimited.stop().get(90, TimeUnit.SECONDS);
      }
    } finally {
      HostFiles.deleteRecursively(root);
    }
  }

  private void measure(BubbleSandboxServer server, BubbleSandboxServer unlimited, Settings settings,
      SandboxUser user, List<String> rawCommand, LimitedRawLaunch limited) throws Exception {
    HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5))
        .build();
    URI execute = URI.create("http://127.0.0.1:" + server.port() + "/v1/execute");
    String body = JSON.createObjectNode()
        .put("script", SCRIPT).put("environment", options.environment()).toString();
    Launch viaServer = worker -> executeOverHttp(http, execute, body);
    URI executeUnlimited = URI.create("http://127.0.0.1:" + unlimited.port() + "/v1/execute");
    Launch viaRunner = worker -> executeOverHttp(http, executeUnlimited, body);
    Launch raw = worker -> StartLatency.launchRaw(rawCommand, EXPECTED_STDOUT);
    Launch rawLimited = worker -> limited.launch(EXPECTED_STDOUT);
    int maxConcurrency = Collections.max(options.concurrency());

    out.printf(Locale.ROOT, "bubble-sandbox bench: %s in environment '%s', %d cores, sandboxes run as %s%n",
        SCRIPT, options.environment(), Runtime.getRuntime().availableProcessors(),
        user.dropTo().isPresent() ? "uid " + user.dropTo().getAsInt() + " (setpriv, caller is root)"
            : "the caller");
    out.printf(Locale.ROOT, "server: in-process on http://127.0.0.1:%d, log level %s, max_sessions %d%n",
        server.port(), settings.logLevel(), settings.maxSessions());
    out.println("raw:    " + String.join(" ", rawCommand));
    out.println();

    int executed = 0;
    Memory early = null;
    Memory late = null;
    if (options.rssRuns() > 0) {
      phase(RSS_EARLY_RUNS, 1, viaServer);
      executed += RSS_EARLY_RUNS;
      early = Memory.now();
      if (options.rssRuns() > RSS_EARLY_RUNS) {
        phase(options.rssRuns() - RSS_EARLY_RUNS, maxConcurrency, viaServer);
      }
      executed += options.rssRuns() - RSS_EARLY_RUNS;
      late = Memory.now();
      out.printf(Locale.ROOT, "memory after %5d server executions: %s%n", RSS_EARLY_RUNS, early);
      out.printf(Locale.ROOT, "memory after %5d server executions: %s%n", options.rssRuns(), late);
      out.println();
    }

    if (options.warmup() > 0) {
      phase(options.warmup(), maxConcurrency, raw);
      phase(options.warmup(), maxConcurrency, rawLimited);
      phase(options.warmup(), maxConcurrency, viaServer);
      phase(options.warmup(), maxConcurrency, viaRunner);
      executed += options.warmup();
    }

    List<Double> p50Ratio = new ArrayList<>();
    List<Double> throughputRatio = new ArrayList<>();
    List<Double> limitsRatio = new ArrayList<>();
    List<Double> limitsAloneRatio = new ArrayList<>();
    List<Double> overLimitsRatio = new ArrayList<>();
    int n = options.executions();
    for (int concurrency : options.concurrency()) {
      Kind rawKind = new Kind(raw);
      Kind limitedKind = new Kind(rawLimited);
      Kind serverKind = new Kind(viaServer);
      Kind runnerKind = new Kind(viaRunner);
      List<Kind> kinds = List.of(rawKind, limitedKind, serverKind, runnerKind);
      // Rounds alternate the kinds (in a rotating order) so that a slow spell of the machine
      // falls on all of them alike.
      for (int round = 0; round < options.rounds(); round++) {
        int count = n / options.rounds() + (round < n % options.rounds() ? 1 : 0);
        for (int k = 0; k < kinds.size(); k++) {
          kinds.get((k + round) % kinds.size()).run(count, concurrency);
        }
      }
      executed += n;
      LatencyStats rawStats = rawKind.stats();
      LatencyStats serverStats = serverKind.stats();
      LatencyStats runnerStats = runnerKind.stats();
      LatencyStats limitedStats = limitedKind.stats();
      double latency = serverStats.percentileMillis(50) / rawStats.percentileMillis(50);
      double throughput = serverStats.throughput() / rawStats.throughput();
      p50Ratio.add(latency);
      throughputRatio.add(throughput);
      double limitsAlone = limitedStats.throughput() / rawStats.throughput();
      limitsAloneRatio.add(limitsAlone);
      overLimitsRatio.add(serverStats.throughput() / limitedStats.throughput());
      limitsRatio.add(serverStats.percentileMillis(50) / runnerStats.percentileMillis(50));
      out.printf(Locale.ROOT, "C=%-2d raw     %s%n", concurrency, rawStats.summary());
      out.printf(Locale.ROOT, "C=%-2d limits  %s  (raw bwrap in a fresh limited group with the seccomp "
          + "filter: the limits alone, no server)%n", concurrency, limitedStats.summary());
      out.printf(Locale.ROOT, "C=%-2d server  %s%n", concurrency, serverStats.summary());
      out.printf(Locale.ROOT, "C=%-2d no-lim  %s  (the same server with no cgroup limits and no "
          + "seccomp filter)%n", concurrency, runnerStats.summary());
      out.printf(Locale.ROOT, "C=%-2d CPU per execution, raw:    %s; harness threads %.1f ms%n",
          concurrency, rawKind.cpu.perExecution(n), rawStats.clientCpuNanos() / 1e6 / n);
      out.printf(Locale.ROOT, "C=%-2d CPU per execution, limits: %s; harness threads %.1f ms%n",
          concurrency, limitedKind.cpu.perExecution(n), limitedStats.clientCpuNanos() / 1e6 / n);
      out.printf(Locale.ROOT, "C=%-2d CPU per execution, server: %s; HTTP client side %.1f ms%n",
          concurrency, serverKind.cpu.perExecution(n), serverStats.clientCpuNanos() / 1e6 / n);
      out.printf(Locale.ROOT, "C=%-2d CPU per execution, no-lim: %s; HTTP client side %.1f ms%n",
          concurrency, runnerKind.cpu.perExecution(n), runnerStats.clientCpuNanos() / 1e6 / n);
      out.printf(Locale.ROOT, "C=%-2d server, this JVM's CPU per execution by thread: %s%n",
          concurrency, serverKind.byThread(n));
      out.printf(Locale.ROOT, "C=%-2d server/raw: p50 %.2fx, p95 %.2fx, throughput %.2fx%n",
          concurrency, latency,
          serverStats.percentileMillis(95) / rawStats.percentileMillis(95), throughput);
      out.printf(Locale.ROOT, "C=%-2d throughput: limits/raw %.2fx (what enforcing the limits leaves), "
          + "server/limits %.2fx (what the server keeps of that), server/no-lim %.2fx%n%n",
          concurrency, limitsAlone, serverStats.throughput() / limitedStats.throughput(),
          serverStats.throughput() / runnerStats.throughput());
    }

    System.gc();
    out.printf(Locale.ROOT, "memory after %5d server executions and a full GC: %s%n%n",
        executed, Memory.now());

    out.println("targets:");
    int c1 = options.concurrency().indexOf(1);
    if (c1 >= 0) {
      verdict("C=1 server p50 / raw p50", p50Ratio.get(c1), 1.3, true);
    }
    if (c1 >= 0) {
      verdict("C=1 server p50 / server without limits p50", limitsRatio.get(c1), 1.2, true);
    }
    int c4 = options.concurrency().indexOf(4);
    if (c4 >= 0) {
      // The limits alone are the ceiling of any server that enforces them: the target is stated
      // against them; over raw is shown beside it.
      verdict("C=4 server throughput / limits throughput", overLimitsRatio.get(c4), 0.9, false);
      out.printf(Locale.ROOT, "  %-44s %.2f%n", "C=4 server throughput / raw throughput",
          throughputRatio.get(c4));
      out.printf(Locale.ROOT, "  %-44s %.2f (the ceiling of a server that enforces them)%n",
          "C=4 limits alone: throughput / raw", limitsAloneRatio.get(c4));
    }
    if (early != null) {
      verdict("RSS after " + options.rssRuns() + " / RSS after " + RSS_EARLY_RUNS,
          (double) late.rssKib() / early.rssKib(), 1.2, true);
    }
  }

  private void verdict(String what, double value, double target, boolean atMost) {
    boolean met = atMost ? value <= target : value >= target;
    String miss = met ? "met"
        : String.format(Locale.ROOT, "MISSED by %.0f%%", Math.abs(value / target - 1) * 100);
    out.printf(Locale.ROOT, "  %-44s %.2f (target %s %.2f): %s%n",
        what, value, atMost ? "<=" : ">=", target, miss);
  }

  /**
   * The configured settings with a private workspace, a random loopback port, the bench's log
   * level, and room for the concurrency.
   */
  private Settings forBenchmark(Path workspace, int maxConcurrency, boolean unlimited) {
    Map<String, Object> values = SettingsLoader.values(options.configFile(), System.getenv());
    values.put("workspace_dir", workspace.toString());
    values.put("http_port", 0);
    values.put("http_host", "127.0.0.1");
    values.put("log_level", options.logLevel());
    values.put("max_sessions", Math.max(Integer.parseInt(String.valueOf(values.get("max_sessions"))), maxConcurrency));
    values.put("allow_unlimited", unlimited);
    return SettingsLoader.fromMap(values);
  }

  /**
   * Runs {@code count} launches on {@code concurrency} threads, each taking the next launch as
   * soon as its previous one ended (a closed loop), and stops at the first failure.
   */
  static LatencyStats phase(int count, int concurrency, Launch launch)
      throws InterruptedException, ExecutionException, TimeoutException {
    long[] nanos = new long[count];
    AtomicInteger next = new AtomicInteger();
    AtomicReference<Exception> failure = new AtomicReference<>();
    AtomicLong workerCpu = new AtomicLong();
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    Map<Long, Long> clientThreadsBefore = cpuOfThreads(threads, CLIENT_THREADS);
    ExecutorService pool = Executors.newFixedThreadPool(concurrency, task -> {
      Thread thread = new Thread(task, "bench-worker");
      thread.setDaemon(true);
      return thread;
    });
    try {
      List<Future<?>> workers = new ArrayList<>();
      long start = System.nanoTime();
      for (int w = 0; w < concurrency; w++) {
        int worker = w;
        workers.add(pool.submit(() -> {
          long cpuBefore = threads.getCurrentThreadCpuTime();
          try {
            int i;
            while (failure.get() == null && (i = next.getAndIncrement()) < count) {
              long begin = System.nanoTime();
              try {
                launch.run(worker);
              } catch (Exception e) {
                failure.compareAndSet(null, e);
                return;
              }
              nanos[i] = System.nanoTime() - begin;
            }
          } finally {
            workerCpu.addAndGet(threads.getCurrentThreadCpuTime() - cpuBefore);
          }
        }));
      }
      long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(PHASE_TIMEOUT_MINUTES);
      for (Future<?> worker : workers) {
        worker.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      }
      long wall = System.nanoTime() - start;
      long clientCpu = workerCpu.get();
      for (Map.Entry<Long, Long> thread : cpuOfThreads(threads, CLIENT_THREADS).entrySet()) {
        clientCpu += thread.getValue() - clientThreadsBefore.getOrDefault(thread.getKey(), 0L);
      }
      if (failure.get() != null) {
        throw new ExecutionException("an execution failed: " + failure.get().getMessage(),
            failure.get());
      }
      return new LatencyStats(nanos, wall, clientCpu);
    } finally {
      pool.shutdownNow();
    }
  }

  /**
   * CPU ticks so far of this process's live threads, by thread id, from /proc/self/task, with
   * each thread's kernel name (Java's name cut to 15 characters).
   */
  private static Map<String, ThreadTicks> threadTicks() throws IOException {
    Map<String, ThreadTicks> ticks = new HashMap<>();
    try (var tasks = Files.list(Path.of("/proc/self/task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        String stat;
        try {
          stat = Files.readString(task.resolve("stat"));
        } catch (IOException e) {
          continue; // the thread ended meanwhile
        }
        String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        ticks.put(task.getFileName().toString(),
            new ThreadTicks(name, Long.parseLong(fields[11]) + Long.parseLong(fields[12])));
      }
    }
    return ticks;
  }

  /** A thread's kernel name and CPU ticks so far. */
  private record ThreadTicks(String name, long ticks) {

    /**
     * The name without numbers and what follows a parenthesis: a thread that renames itself
     * while it works (the JDK's process reaper adds the pid it waits for) stays one group.
     */
    String group() {
      int paren = name.indexOf('(');
      return (paren < 0 ? name : name.substring(0, paren)).strip().replaceAll("[0-9#]+", "N");
    }
  }

  /** One kind of launch measured over several rounds: latencies, wall time and CPU, summed. */
  private static final class Kind {
    private final Launch launch;
    private final List<LatencyStats> rounds = new ArrayList<>();
    private final Map<String, Long> threadGroups = new HashMap<>();
    CpuTimes cpu = new CpuTimes(0, 0, 0, 0);

    Kind(Launch launch) {
      this.launch = launch;
    }

    void run(int count, int concurrency) throws Exception {
      if (count == 0) {
        return;
      }
      Map<String, ThreadTicks> threadsBefore = threadTicks();
      CpuTimes before = CpuTimes.now();
      rounds.add(phase(count, concurrency, launch));
      CpuTimes used = CpuTimes.now().minus(before);
      Map<String, ThreadTicks> threadsAfter = threadTicks();
      cpu = cpu.plus(used);
      long live = 0;
      for (Map.Entry<String, ThreadTicks> thread : threadsAfter.entrySet()) {
        // By thread id: a thread renamed during the phase is still the same thread.
        ThreadTicks earlier = threadsBefore.get(thread.getKey());
        long delta = thread.getValue().ticks() - (earlier == null ? 0 : earlier.ticks());
        threadGroups.merge(thread.getValue().group(), delta, Long::sum);
        live += delta;
      }
      threadGroups.merge("(ended threads: sandbox watchers and pumps...)",
          Math.max(0, used.selfTicks() - live), Long::sum);
    }

    LatencyStats stats() {
      long[] all = rounds.stream().flatMapToLong(r -> java.util.Arrays.stream(r.nanos())).toArray();
      return new LatencyStats(all, rounds.stream().mapToLong(LatencyStats::wallNanos).sum(),
          rounds.stream().mapToLong(LatencyStats::clientCpuNanos).sum());
    }

    /** This JVM's CPU by thread group (kernel names, numbers dropped), largest first. */
    String byThread(int executions) {
      StringBuilder text = new StringBuilder();
      threadGroups.entrySet().stream()
          .filter(group -> group.getValue() > 0)
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .forEach(group -> text.append(text.length() == 0 ? "" : ", ")
              .append(String.format(Locale.ROOT, "%s %.2f ms", group.getKey(),
                  group.getValue() * CpuTimes.MILLIS_PER_TICK / executions)));
      return text.toString();
    }
  }

  /** CPU time so far of each live thread whose name starts with {@code prefix}, by thread id. */
  private static Map<Long, Long> cpuOfThreads(ThreadMXBean threads, String prefix) {
    Map<Long, Long> cpu = new HashMap<>();
    for (ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
      if (info != null && info.getThreadName().startsWith(prefix)) {
        long nanos = threads.getThreadCpuTime(info.getThreadId());
        if (nanos >= 0) {
          cpu.put(info.getThreadId(), nanos);
        }
      }
    }
    return cpu;
  }

  private static void executeOverHttp(HttpClient http, URI execute, String body)
      throws IOException, InterruptedException {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(execute)
            .timeout(REQUEST_TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IOException("POST /v1/execute answered " + response.statusCode() + ": "
          + response.body());
    }
    JsonNode result = JSON.readTree(response.body());
    if (result.path("return_code").asInt(-1) != 0
        || !EXPECTED_STDOUT.equals(result.path("stdout").asText())) {
      throw new IOException("unexpected result: " + response.body());
    }
  }

  /**
   * CPU time of this JVM (all its threads: server, HTTP client, harness), of its waited-for
   * children (setpriv, bwrap and everything below), and of the whole machine (which includes
   * kernel work no process is charged for, e.g. tearing namespaces down), from /proc in clock
   * ticks of 10 ms: meaningful summed over a phase, not for one execution.
   */
  record CpuTimes(long selfTicks, long childrenTicks, long machineBusyTicks, long machineTicks) {

    static final double MILLIS_PER_TICK = 10.0;

    static CpuTimes now() throws IOException {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      // Fields after the command name, which is in parentheses and may hold spaces.
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
      // utime, stime, cutime, cstime are fields 14 to 17 of proc(5); fields[0] is field 3.
      long self = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
      long children = Long.parseLong(fields[13]) + Long.parseLong(fields[14]);
      // "cpu  user nice system idle iowait irq softirq steal ...": idle and iowait are not busy.
      String[] cpu = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long total = 0;
      for (int i = 1; i <= 8 && i < cpu.length; i++) {
        total += Long.parseLong(cpu[i]);
      }
      long idle = Long.parseLong(cpu[4]) + Long.parseLong(cpu[5]);
      return new CpuTimes(self, children, total - idle, total);
    }

    CpuTimes plus(CpuTimes other) {
      return new CpuTimes(selfTicks + other.selfTicks, childrenTicks + other.childrenTicks,
          machineBusyTicks + other.machineBusyTicks, machineTicks + other.machineTicks);
    }

    CpuTimes minus(CpuTimes earlier) {
      return new CpuTimes(selfTicks - earlier.selfTicks, childrenTicks - earlier.childrenTicks,
          machineBusyTicks - earlier.machineBusyTicks, machineTicks - earlier.machineTicks);
    }

    String perExecution(int executions) {
      return String.format(Locale.ROOT,
          "%.1f ms in this JVM, %.1f ms in the sandbox processes, %.1f ms machine-wide "
              + "(machine %.0f%% busy)",
          selfTicks * MILLIS_PER_TICK / executions, childrenTicks * MILLIS_PER_TICK / executions,
          machineBusyTicks * MILLIS_PER_TICK / executions,
          machineTicks == 0 ? 0.0 : 100.0 * machineBusyTicks / machineTicks);
    }
  }

  /**
   * This process's memory: resident set (from /proc/self/status), Java heap and non-heap, and
   * live threads. The server runs in-process, so the client's share is included.
   */
  record Memory(long rssKib, long heapUsed, long heapCommitted, long nonHeapUsed, int threads) {

    static Memory now() throws IOException {
      long rss = -1;
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          rss = Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
      MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
      return new Memory(rss, memory.getHeapMemoryUsage().getUsed(),
          memory.getHeapMemoryUsage().getCommitted(), memory.getNonHeapMemoryUsage().getUsed(),
          ManagementFactory.getThreadMXBean().getThreadCount());
    }

    @Override
    public String toString() {
      return String.format(Locale.ROOT,
          "RSS %.1f MiB (heap used %.1f MiB of %.1f MiB committed, non-heap used %.1f MiB, %d threads)",
          rssKib / 1024.0, heapUsed / 1048576.0, heapCommitted / 1048576.0,
          nonHeapUsed / 1048576.0, threads);
    }
  }
}
