package dev.bubblesandbox.bench;

import dev.bubblesandbox.cli.SpawnMechanism;
import dev.bubblesandbox.config.LogLevel;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The benchmark's command line ({@code bench/server-bench.sh}): one-shot executions through an
 * in-process server against raw bwrap launches of the same command line, and the server's memory
 * after many executions. Built only by the {@code bench} Maven profile, never into the product.
 */
@Command(name = "bench/server-bench.sh", mixinStandardHelpOptions = true,
    description = {
      "Benchmark one-shot print(1) executions through the HTTP server (started in this process "
          + "on 127.0.0.1, random port, temporary workspace) against raw launches of the same "
          + "bwrap command line, and the server's resident memory. Two more kinds tell the limits' "
          + "cost from the server's: the raw command in a fresh limited group with the seccomp "
          + "filter (no server), and a second server without cgroup limits and seccomp.",
      "Run it from the repository (environments/ must be synced)."})
public final class BenchCommand implements Callable<Integer> {

  /** The process's stdout and stderr as UTF-8, whatever the locale (as the product's CLI does). */
  private static final PrintStream OUT =
      new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
  private static final PrintStream ERR =
      new PrintStream(new FileOutputStream(FileDescriptor.err), true, StandardCharsets.UTF_8);

  static final int MAX_EXECUTIONS = 100_000;
  static final int MAX_CONCURRENCY = 64;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "-n", paramLabel = "N", defaultValue = "200",
      description = "Executions per measured phase (default: ${DEFAULT-VALUE}).")
  int executions;

  @Option(names = "-c", paramLabel = "C", split = ",", defaultValue = "1,4",
      description = "Concurrency levels, comma-separated (default: ${DEFAULT-VALUE}).")
  List<Integer> concurrency;

  @Option(names = "--rounds", paramLabel = "R", defaultValue = "4",
      description = "Rounds each phase is split into, alternating raw, limited raw, server and "
          + "unlimited-server launches so that a slow spell of the machine falls on all alike (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Option(names = "--warmup", paramLabel = "N", defaultValue = "200",
      description = "Unmeasured executions of each kind before the phases, so that the JIT has compiled "
          + "what a long-running server runs (default: ${DEFAULT-VALUE}).")
  int warmup;

  @Option(names = "--rss-runs", paramLabel = "N", defaultValue = "1000",
      description = "Server executions after which RSS is read again, the first reading being "
          + "after " + ServerBenchmark.RSS_EARLY_RUNS + "; 0 skips it (default: ${DEFAULT-VALUE}).")
  int rssRuns;

  @Option(names = "--latency-runs", paramLabel = "N", defaultValue = "20",
      description = "Executions of each latency case (one-shot print(1), one-shot pandas, session print(1)), "
          + "each after a pause, against as many raw launches; 0 skips them (default: ${DEFAULT-VALUE}).")
  int latencyRuns;

  @Option(names = "--latency-pause-ms", paramLabel = "MS", defaultValue = "300",
      description = "Untimed pause before each latency execution, for the warm sandboxes to be started "
          + "again (default: ${DEFAULT-VALUE}).")
  long latencyPauseMillis;

  @Option(names = {"-e", "--environment"}, paramLabel = "ENV", defaultValue = "bare",
      description = "Environment to run in (default: ${DEFAULT-VALUE}).")
  String environment;

  @Option(names = "--log-level", paramLabel = "LEVEL", defaultValue = "INFO",
      description = "The server's log level; INFO, the server's default, logs two lines per execution "
          + "(default: ${DEFAULT-VALUE}).")
  String logLevel;

  @Option(names = "--server-log", paramLabel = "FILE", defaultValue = "target/bench/server.log",
      description = "Where the server's JSON log lines go, so that they cost what they cost in "
          + "production without mixing with the report (default: ${DEFAULT-VALUE}).")
  Path serverLog;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Configuration file (default: conf/config.yaml when it exists).")
  Path configFile;

  @Override
  public Integer call() throws Exception {
    check(executions >= 1 && executions <= MAX_EXECUTIONS, "-n must be from 1 to " + MAX_EXECUTIONS);
    check(!concurrency.isEmpty() && concurrency.stream().allMatch(c -> c >= 1 && c <= MAX_CONCURRENCY),
        "-c values must be from 1 to " + MAX_CONCURRENCY);
    check(rounds >= 1 && rounds <= executions, "--rounds must be from 1 to -n");
    check(warmup >= 0 && warmup <= MAX_EXECUTIONS, "--warmup must be from 0 to " + MAX_EXECUTIONS);
    check(latencyRuns >= 0 && latencyRuns <= MAX_EXECUTIONS, "--latency-runs must be from 0 to " + MAX_EXECUTIONS);
    check(latencyPauseMillis >= 0 && latencyPauseMillis <= 60_000, "--latency-pause-ms must be from 0 to 60000");
    check(rssRuns == 0 || (rssRuns >= ServerBenchmark.RSS_EARLY_RUNS && rssRuns <= MAX_EXECUTIONS),
        "--rss-runs must be 0 or from " + ServerBenchmark.RSS_EARLY_RUNS + " to " + MAX_EXECUTIONS);
    Optional<LogLevel> level = LogLevel.parse(logLevel);
    check(level.isPresent(), "--log-level must be one of " + LogLevel.names());
    ServerBenchmark.Options options = new ServerBenchmark.Options(executions, concurrency, rounds, warmup,
        rssRuns, environment, level.get().name(), Optional.ofNullable(configFile), latencyRuns,
        latencyPauseMillis);
    // The report goes to the real stdout (OUT); the log appender writes to System.out.
    java.nio.file.Files.createDirectories(serverLog.toAbsolutePath().getParent());
    System.setOut(new PrintStream(new FileOutputStream(serverLog.toFile()), false, StandardCharsets.UTF_8));
    OUT.println("server log: " + serverLog);
    try {
      new ServerBenchmark(options, OUT).run();
    } catch (ExecutionException e) {
      ERR.println("error: " + e.getMessage());
      return 1;
    }
    return 0;
  }

  public static void main(String[] args) {
    SpawnMechanism.preferVfork();
    CommandLine commandLine = new CommandLine(new BenchCommand());
    commandLine.setOut(new PrintWriter(OUT, true));
    commandLine.setErr(new PrintWriter(ERR, true));
    System.exit(commandLine.execute(args));
  }

  private void check(boolean valid, String message) {
    if (!valid) {
      throw new CommandLine.ParameterException(spec.commandLine(), message);
    }
  }
}
