package dev.bubblesandbox.sandbox;

import dev.bubblesandbox.HostFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Starts sandboxes and watches them to the end. Each execution gets a thread of its own that
 * starts bwrap and lives until bwrap has exited: {@code --die-with-parent} fires when the
 * <em>thread</em> that started bwrap ends, so a pooled or short-lived thread would kill it early.
 */
public final class SandboxRunner {

  /** How long the output pumps may take to reach end-of-file once bwrap has exited. */
  private static final long PUMP_DRAIN_SECONDS = 5;

  /**
   * Runs before bwrap, as the caller: joins the execution's cgroups (so that bwrap and everything
   * it starts is counted and bounded from its first instruction), opens the seccomp filter on
   * {@link BwrapArgs#SECCOMP_FD} (Java cannot pass a child any other descriptor), then execs the
   * uid switch and bwrap with an empty environment. Arguments: the number of cgroup.procs files, the files, the filter
   * file (or ""), the command.
   */
  static final String LAUNCHER = "n=$1; shift\n"
      + "while [ \"$n\" -gt 0 ]; do\n"
      + "  echo $$ > \"$1\" || { echo \"bubble-sandbox: cannot join cgroup $1\" >&2; exit 125; }\n"
      + "  shift; n=$((n - 1))\n"
      + "done\n"
      + "if [ -n \"$1\" ]; then exec 3< \"$1\" || exit 125; fi\n"
      + "shift\n"
      // The shell exports PWD (its only variable), and bwrap's init would show it in /proc/1/environ.
      + "unset PWD OLDPWD\n"
      + "exec \"$@\"\n";

  private final Path bwrap;
  private final List<String> commandPrefix;
  private final HostLayout layout;
  private final SandboxUser user;
  private final ResourceControl resources;
  private final Optional<Path> seccompFilter;

  SandboxRunner(Path bwrap, List<String> commandPrefix, HostLayout layout, SandboxUser user,
      ResourceControl resources, Optional<Path> seccompFilter) {
    this.bwrap = bwrap;
    this.commandPrefix = List.copyOf(commandPrefix);
    this.layout = layout;
    this.user = user;
    this.resources = resources;
    this.seccompFilter = seccompFilter;
  }

  /**
   * A runner for this host.
   *
   * @throws SandboxUnavailableException when bwrap (or, as root, setpriv) is missing
   */
  public static SandboxRunner create(SandboxUser user) {
    Path bwrap = locate("bwrap", "bubblewrap");
    List<String> prefix =
        user.dropTo().isPresent() ? user.commandPrefix(locate("setpriv", "util-linux")) : List.of();
    return new SandboxRunner(bwrap, prefix, HostLayout.detect(), user,
        CgroupV1Control.detect().orElse(ResourceControl.NONE), Optional.of(writeSeccompFilter()));
  }

  /**
   * Writes the filter where the launcher can open it: a new file, owner-only, never through a
   * link (CREATE_NEW fails on any existing name). Not Files.createTempFile: its secure random
   * name generator costs the CLI's start-up more than the sandbox does.
   */
  private static Path writeSeccompFilter() {
    Path file = Path.of(System.getProperty("java.io.tmpdir"),
        "bubble-sandbox-seccomp-" + ProcessHandle.current().pid() + "-" + System.nanoTime() + ".bpf");
    try {
      Files.write(file, SeccompFilter.program(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
      file.toFile().deleteOnExit();
      return file;
    } catch (IOException e) {
      throw new SandboxUnavailableException("Cannot write the seccomp filter: " + e.getMessage());
    }
  }

  /**
   * A runner that enforces no cgroup limits and loads no seccomp filter: only for measuring
   * what those cost ({@code bench}), never for serving.
   */
  public static SandboxRunner createWithoutLimits(SandboxUser user) {
    SandboxRunner limited = create(user);
    return new SandboxRunner(limited.bwrap, limited.commandPrefix, limited.layout, user,
        ResourceControl.NONE, Optional.empty());
  }

  public SandboxUser user() {
    return user;
  }

  /** How memory, task and CPU limits are enforced on this host. */
  public ResourceControl resources() {
    return resources;
  }

  /**
   * Refuses to go on when this host cannot enforce every resource limit, unless the operator
   * allowed it.
   *
   * @throws SandboxUnavailableException naming what is missing and the setting that allows it
   */
  public void requireResourceLimits(boolean allowUnlimited) {
    java.util.Set<String> missing = new java.util.TreeSet<>(ResourceControl.ALL);
    missing.removeAll(resources.enforced());
    if (!missing.isEmpty() && !allowUnlimited) {
      throw new SandboxUnavailableException("This host cannot enforce the " + String.join(", ", missing)
          + " limits of sandboxes (no writable cgroup v1 hierarchies; run as root, or delegate them); "
          + "set BUBBLE_SANDBOX_ALLOW_UNLIMITED=true to run without them.");
    }
  }

  /**
   * The uid switch, bwrap and its arguments, without the launcher: no cgroups, no seccomp
   * filter. What a benchmark of raw bwrap runs.
   */
  public List<String> command(LaunchSpec spec) {
    List<String> command = new ArrayList<>(commandPrefix);
    command.add(bwrap.toString());
    command.addAll(BwrapArgs.build(spec, layout));
    return command;
  }

  /** The full launch command: the launcher, the uid switch, bwrap and its arguments. */
  List<String> launchCommand(LaunchSpec spec, ResourceControl.Group group) {
    List<String> procs = group.procsFiles();
    List<String> command = new ArrayList<>();
    if (!procs.isEmpty() || seccompFilter.isPresent()) {
      command.addAll(List.of("/bin/sh", "-c", LAUNCHER, "bubble-sandbox-launch",
          Integer.toString(procs.size())));
      command.addAll(procs);
      command.add(seccompFilter.map(Path::toString).orElse(""));
    }
    command.addAll(commandPrefix);
    command.add(bwrap.toString());
    command.addAll(BwrapArgs.build(spec, layout, seccompFilter.isPresent()));
    return command;
  }

  /**
   * Starts a minimal sandbox as launches do (same uid switch and namespaces) and reports why it
   * failed, or empty when it works: the readiness check of {@code doctor} and the server.
   */
  public Optional<String> probe() {
    List<String> command = new ArrayList<>(commandPrefix);
    command.add(bwrap.toString());
    command.addAll(List.of("--unshare-all", "--unshare-user", "--disable-userns",
        "--die-with-parent", "--ro-bind", "/usr", "/usr"));
    layout.links().forEach((link, target) -> command.addAll(List.of("--symlink", target, link)));
    command.addAll(List.of("--", "/usr/bin/true"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    builder.environment().clear();
    try {
      Process process = builder.start();
      process.getOutputStream().close();
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        return Optional.of("bwrap did not finish within 10 s");
      }
      String output = new String(process.getInputStream().readAllBytes()).strip();
      return process.exitValue() == 0 ? Optional.empty()
          : Optional.of("bwrap failed (exit " + process.exitValue() + "): " + output);
    } catch (IOException e) {
      return Optional.of("cannot start bwrap: " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.of("interrupted");
    }
  }

  /**
   * Starts the execution and returns once bwrap is running. {@code listener} is called from the
   * output pump threads as output arrives.
   *
   * @throws InvalidLaunchException when a path of the spec cannot be used
   * @throws SandboxUnavailableException when bwrap cannot be started
   */
  public RunningSandbox start(LaunchSpec spec, OutputListener listener) {
    checkPaths(spec);
    ResourceControl.Group group = resources.create(spec.executionId(), spec.limits().resources());
    ProcessBuilder builder = new ProcessBuilder(launchCommand(spec, group));
    // bwrap's own init inherits this environment and shows it in /proc/1/environ:
    // start it with nothing, the sandbox's variables come from --setenv.
    builder.environment().clear();
    CompletableFuture<Process> started = new CompletableFuture<>();
    CompletableFuture<ExecutionResult> result = new CompletableFuture<>();
    Thread watcher = new Thread(() -> watch(builder, spec, group, listener, started, result),
        "sandbox-" + spec.executionId());
    watcher.start();
    Process process;
    try {
      process = started.join();
    } catch (java.util.concurrent.CompletionException e) {
      throw (RuntimeException) e.getCause();
    }
    return new RunningSandbox(process, group, result);
  }

  private void watch(ProcessBuilder builder, LaunchSpec spec, ResourceControl.Group group,
      OutputListener listener, CompletableFuture<Process> started,
      CompletableFuture<ExecutionResult> result) {
    long startNanos = System.nanoTime();
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      group.close();
      started.completeExceptionally(
          new SandboxUnavailableException("Cannot start bwrap: " + e.getMessage()));
      return;
    }
    started.complete(process);
    try {
      OutputCapture stdout = new OutputCapture(spec.limits().maxOutputBytes());
      OutputCapture stderr = new OutputCapture(spec.limits().maxOutputBytes());
      Thread stdoutPump = pump(process.getInputStream(), stdout, OutputListener.Stream.STDOUT,
          listener, spec.executionId());
      Thread stderrPump = pump(process.getErrorStream(), stderr, OutputListener.Stream.STDERR,
          listener, spec.executionId());

      boolean timedOut = !process.waitFor(spec.limits().timeout().toNanos(), TimeUnit.NANOSECONDS);
      if (timedOut) {
        RunningSandbox.killAll(process, group);
      }
      int status = process.waitFor();
      long durationMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
      // bwrap is gone: whatever is left in the group holds the output pipes open. End it now.
      group.killAll();
      stdoutPump.join(TimeUnit.SECONDS.toMillis(PUMP_DRAIN_SECONDS));
      stderrPump.join(TimeUnit.SECONDS.toMillis(PUMP_DRAIN_SECONDS));
      closeQuietly(process.getInputStream());
      closeQuietly(process.getErrorStream());

      ResourceControl.Usage usage = group.usage();
      boolean truncated = stdout.truncated() || stderr.truncated();
      String limit = timedOut ? ExecutionResult.LIMIT_TIMEOUT
          : usage.limitHit() != null ? usage.limitHit()
          : truncated ? ExecutionResult.LIMIT_OUTPUT : null;
      result.complete(new ExecutionResult(stdout.text(), stderr.text(),
          timedOut ? -9 : returnCode(status), timedOut, truncated, durationMs, limit,
          usage.cpuTimeMs(), usage.memoryPeakBytes()));
      // Its processes are dead already: removing the group need not delay the result.
      group.close();
    } catch (InterruptedException e) {
      RunningSandbox.killAll(process, group);
      group.close();
      Thread.currentThread().interrupt();
      result.completeExceptionally(e);
    } catch (RuntimeException | Error e) {
      RunningSandbox.killAll(process, group);
      group.close();
      result.completeExceptionally(e);
    }
  }

  /**
   * bwrap reports a child ended by signal N as 128+N; the API reports it as -N, like Python's
   * subprocess. (An explicit exit status above 128 is read the same way.)
   */
  static int returnCode(int bwrapStatus) {
    return bwrapStatus > 128 && bwrapStatus <= 128 + 64 ? -(bwrapStatus - 128) : bwrapStatus;
  }

  private static Thread pump(InputStream in, OutputCapture capture, OutputListener.Stream stream,
      OutputListener listener, String executionId) {
    Thread thread = new Thread(() -> {
      byte[] buffer = new byte[16 * 1024];
      try {
        int read;
        while ((read = in.read(buffer)) != -1) {
          // Past the cap the stream is still drained, so a flooding process never blocks on a
          // full pipe and ends normally.
          deliver(listener, stream, capture.accept(buffer, read));
        }
      } catch (IOException e) {
        // the stream was closed after bwrap exited: what was read is kept
      }
      deliver(listener, stream, capture.finish());
    }, "sandbox-" + executionId + "-" + stream.name().toLowerCase(java.util.Locale.ROOT));
    thread.setDaemon(true);
    thread.start();
    return thread;
  }

  private static void deliver(OutputListener listener, OutputListener.Stream stream, String text) {
    if (!text.isEmpty()) {
      listener.onOutput(stream, text);
    }
  }

  private void checkPaths(LaunchSpec spec) {
    Path workDir = spec.workDir().orElse(null);
    if (workDir != null && !Files.isDirectory(workDir)) {
      throw new InvalidLaunchException("Work directory " + workDir + " does not exist.");
    }
    // bwrap runs as the sandbox uid and must search every directory down to a bind source;
    // otherwise it fails with exit 1, which reads like the script's own exit status.
    if (workDir != null && !user.canReach(workDir)) {
      throw new InvalidLaunchException("Work directory " + workDir + " cannot be reached by "
          + sandboxUidName() + "; choose a directory whose parents it can search (e.g. under /tmp).");
    }
    for (Volume volume : spec.volumes()) {
      if (!Files.isDirectory(volume.hostPath())) {
        throw new InvalidLaunchException("Volume '" + volume.name() + "': "
            + volume.hostPath() + " is not an existing directory.");
      }
      if (!user.canReach(volume.hostPath())) {
        throw new InvalidLaunchException("Volume '" + volume.name() + "': " + volume.hostPath()
            + " cannot be reached by " + sandboxUidName()
            + "; choose a directory whose parents it can search.");
      }
      if (volume.writable() && !user.canWrite(volume.hostPath())) {
        throw new InvalidLaunchException("Volume '" + volume.name() + "': " + volume.hostPath()
            + " is not writable by the sandbox uid " + user.dropTo().orElse(-1)
            + "; run: chown -R " + user.dropTo().orElse(-1) + " " + volume.hostPath());
      }
    }
    Optional<Path> prefix = spec.environment().basePrefix();
    if (prefix.isPresent() && !user.canReach(prefix.get())) {
      throw new InvalidLaunchException("Environment '" + spec.environment().name()
          + "' uses the interpreter in " + prefix.get() + ", which the sandbox uid cannot reach; "
          + "rebuild it from a system Python: BUBBLE_SANDBOX_PYTHON=/usr/bin/python3 "
          + "bubble-sandbox sync-environments " + spec.environment().name());
    }
  }

  private String sandboxUidName() {
    return user.dropTo().isPresent() ? "the sandbox uid " + user.dropTo().getAsInt() : "this user";
  }

  private static void closeQuietly(InputStream in) {
    try {
      in.close();
    } catch (IOException e) {
      // already closed
    }
  }

  private static Path locate(String program, String debianPackage) {
    Path standard = Path.of("/usr/bin", program);
    if (Files.isExecutable(standard)) {
      return standard;
    }
    return HostFiles.findOnPath(program).orElseThrow(() -> new SandboxUnavailableException(
        program + " is not installed; install it with: apt-get install -y " + debianPackage));
  }
}
