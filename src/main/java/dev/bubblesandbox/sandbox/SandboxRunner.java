package dev.bubblesandbox.sandbox;

import dev.bubblesandbox.HostFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Starts sandboxes. Each launch goes through a {@link Launcher}: made on the spot here, or ahead
 * of time by a {@link LauncherPool}.
 */
public final class SandboxRunner {

  private final Path bwrap;
  private final List<String> commandPrefix;
  private final HostLayout layout;
  private final SandboxUser user;
  private final ResourceControl resources;
  private final PrivateDirectory files;
  private final boolean seccomp;
  private final AtomicLong launches = new AtomicLong();
  /**
   * Launches made by {@link #start}, which {@link #close} waits for; kept for the runner's life,
   * as {@code start} serves short-lived processes (the CLI, tests) and a server uses {@link #pool}.
   */
  private final List<Launcher> started = new CopyOnWriteArrayList<>();

  /** Launch groups are named {@code l<run owner>-<n>}: see {@link RunOwner}. */
  static final String GROUP_PREFIX = "l";

  SandboxRunner(Path bwrap, List<String> commandPrefix, HostLayout layout, SandboxUser user,
      ResourceControl resources, PrivateDirectory files, boolean seccomp) {
    this.bwrap = bwrap;
    this.commandPrefix = List.copyOf(commandPrefix);
    this.layout = layout;
    this.user = user;
    this.resources = resources;
    this.files = files;
    this.seccomp = seccomp;
  }

  /**
   * A runner for this host.
   *
   * @throws SandboxUnavailableException when bwrap (or, as root, setpriv) is missing
   */
  public static SandboxRunner create(SandboxUser user) {
    return create(user, ResourceControls.detect(false), true);
  }

  /**
   * A runner for a server on this host: as {@link #create}, and where this process's cgroup v2
   * group is delegated, this process moves into a leaf of it so that it can hold the sandboxes'
   * groups (see {@link CgroupV2Delegation}). Only a long-lived server may reorganize its group.
   */
  public static SandboxRunner createForServer(SandboxUser user) {
    return create(user, ResourceControls.detect(true), true);
  }

  /**
   * A runner that enforces no cgroup limits and loads no seccomp filter: only for measuring
   * what those cost ({@code bench}), never for serving.
   */
  public static SandboxRunner createWithoutLimits(SandboxUser user) {
    return create(user, ResourceControl.NONE, false);
  }

  static SandboxRunner create(SandboxUser user, ResourceControl resources, boolean seccomp) {
    Path bwrap = locate("bwrap", "bubblewrap");
    List<String> prefix =
        user.dropTo().isPresent() ? user.commandPrefix(locate("setpriv", "util-linux")) : List.of();
    return new SandboxRunner(bwrap, prefix, HostLayout.detect(), user, resources,
        PrivateDirectory.create(), seccomp);
  }

  /**
   * Whether a server here would bound sandboxes with cgroup v2 (a delegated group), which this
   * runner, not being a server's, does not use.
   */
  public static boolean serverWouldUseCgroupV2() {
    return CgroupV2Delegation.delegatedGroup().isPresent();
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
    Set<String> missing = resources.unenforced();
    if (!missing.isEmpty() && !allowUnlimited) {
      throw new SandboxUnavailableException("This host cannot enforce the " + String.join(", ", missing)
          + " limits of sandboxes (" + resources.mechanism() + " in force; run as root, or delegate "
          + "cgroups to this user); "
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

  /**
   * The shell commands that start {@code spec}, for the launcher to source: open the seccomp
   * filter on {@link BwrapArgs#SECCOMP_FD}, the program's source on {@link BwrapArgs#SOURCE_FD}
   * and bwrap's status on {@link BwrapArgs#STATUS_FD} (Java cannot pass a child any descriptor
   * but 0 to 2), then exec the uid switch and bwrap.
   */
  String commandScript(LaunchSpec spec, Launcher.LaunchFiles launch) {
    List<String> command = new ArrayList<>(commandPrefix);
    command.add(bwrap.toString());
    List<String> prefix = resources.sandboxedPrefix(spec.limits().resources());
    command.addAll(BwrapArgs.build(prefix.isEmpty() ? spec : spec.withArgvPrefix(prefix), layout, seccomp));
    StringBuilder script = new StringBuilder("exec");
    if (seccomp) {
      script.append(' ').append(BwrapArgs.SECCOMP_FD).append("< ")
          .append(shellQuote(files.seccompFilter().toString()));
    }
    if (spec.program().source().isPresent()) {
      script.append(' ').append(BwrapArgs.SOURCE_FD).append("< ")
          .append(shellQuote(launch.source().toString()));
    }
    script.append(' ').append(BwrapArgs.STATUS_FD).append("> ")
        .append(shellQuote(launch.status().toString())).append(" || exit 125\n");
    script.append("exec");
    for (String argument : command) {
      if (argument.indexOf('\0') >= 0) {
        throw new InvalidLaunchException("The command line may not contain NUL characters.");
      }
      script.append(' ').append(shellQuote(argument));
    }
    return script.append('\n').toString();
  }

  /** {@code argument} as one word of a POSIX shell command: single-quoted. */
  static String shellQuote(String argument) {
    return "'" + argument.replace("'", "'\\''") + "'";
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
   * Starts the execution and returns once bwrap is starting. {@code listener} is called from the
   * output pump threads as output arrives.
   *
   * @throws InvalidLaunchException when a path of the spec cannot be used
   * @throws SandboxUnavailableException when bwrap cannot be started
   */
  public RunningSandbox start(LaunchSpec spec, OutputListener listener) {
    Launcher launcher = prepare();
    started.add(launcher);
    return launch(launcher, spec, listener);
  }

  /**
   * For a process that exits after its launches (the CLI): waits until the launches made by
   * {@link #start} have finished their own cleanup (their groups removed, their command files
   * deleted), which goes on after the result is known, then removes this runner's private
   * directory. Without it the JVM's exit cuts that cleanup short and leaves both behind.
   * Call it once the sandboxes have ended (or been killed).
   */
  public void close() throws InterruptedException {
    for (Launcher launcher : started) {
      launcher.awaitEnd(TimeUnit.SECONDS.toMillis(30));
    }
    files.delete();
  }

  /** A pool of {@code size} launches kept ready, for a server. */
  public LauncherPool pool(int size) {
    return new LauncherPool(this, size);
  }

  /** Starts making a launch ready. */
  Launcher prepare() {
    return new Launcher(resources, files.path(),
        GROUP_PREFIX + RunOwner.TOKEN + "-" + launches.incrementAndGet());
  }

  RunningSandbox launch(Launcher launcher, LaunchSpec spec, OutputListener listener) {
    String script;
    try {
      checkPaths(spec);
      script = commandScript(spec, launcher.files());
    } catch (RuntimeException e) {
      launcher.cancel();
      throw e;
    }
    return launcher.launch(spec, listener, script);
  }

  /**
   * Removes what a crashed earlier run left behind: its groups (killing what still runs in them)
   * and its private files.
   */
  public void removeStale() {
    resources.removeStale();
    PrivateDirectory.removeStale();
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

  private static Path locate(String program, String debianPackage) {
    Path standard = Path.of("/usr/bin", program);
    if (Files.isExecutable(standard)) {
      return standard;
    }
    return HostFiles.findOnPath(program).orElseThrow(() -> new SandboxUnavailableException(
        program + " is not installed; install it with: apt-get install -y " + debianPackage));
  }
}
