package dev.bubblesandbox.sandbox;

import dev.bubblesandbox.SandboxUnavailableException;
import dev.bubblesandbox.sandbox.limits.CgroupV2Delegation;
import dev.bubblesandbox.sandbox.limits.ResourceControl;
import dev.bubblesandbox.sandbox.limits.RunOwner;
import dev.bubblesandbox.sandbox.output.OutputListener;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Starts sandboxes on this host: the entry point of the package. A launch is checked
 * ({@link LaunchPreflight}), its command built ({@link LaunchCommand}), and it is run and watched
 * by a {@link Launcher} ({@link ExecutionWatcher},
 * {@link dev.bubblesandbox.sandbox.output.ResultAssembler}), made on the spot here or ahead
 * of time by a {@link LauncherPool}. A one-shot or session script may instead go to a sandbox
 * started ahead with Python waiting (see {@code sandbox.warm}). What comes back is a
 * {@link SandboxExecution}.
 */
public final class SandboxRunner {

  private final LaunchCommand command;
  private final SandboxUser user;
  private final ResourceControl resources;
  private final PrivateDirectory files;
  private final AtomicLong launches = new AtomicLong();
  /** The threads of every sandbox this runner starts, closed by {@link #close}. */
  private final SandboxThreads threads = new SandboxThreads();
  /**
   * Launches made by {@link #start}, which {@link #close} waits for; kept for the runner's life,
   * as {@code start} serves short-lived processes (the CLI, tests) and a server uses {@link #pool}.
   */
  private final List<Launcher> started = new CopyOnWriteArrayList<>();
  /**
   * The last warm spec and the commands that start it: a one-shot environment's sandboxes share
   * their spec between two looks of the pool's, so their commands are built once.
   */
  private volatile WarmCommands lastWarm;

  private record WarmCommands(LaunchSpec spec, String commands) { }


  private SandboxRunner(LaunchCommand command, SandboxUser user, ResourceControl resources,
      PrivateDirectory files) {
    this.command = command;
    this.user = user;
    this.resources = resources;
    this.files = files;
  }

  /**
   * A runner for this host.
   *
   * @throws SandboxUnavailableException when bwrap (or, as root, setpriv) is missing
   */
  public static SandboxRunner create(SandboxUser user) {
    return create(user, ResourceControl.detect(false), true);
  }

  /**
   * A runner for a server on this host: as {@link #create}, and where this process's cgroup v2
   * group is delegated, this process moves into a leaf of it so that it can hold the sandboxes'
   * groups (see {@link CgroupV2Delegation}). Only a long-lived server may reorganize its group.
   */
  public static SandboxRunner createForServer(SandboxUser user) {
    return create(user, ResourceControl.detect(true), true);
  }

  /**
   * A runner that enforces no cgroup limits and loads no seccomp filter: only for measuring
   * what those cost ({@code bench}), never for serving.
   */
  public static SandboxRunner createWithoutLimits(SandboxUser user) {
    return create(user, ResourceControl.NONE, false);
  }

  public static SandboxRunner create(SandboxUser user, ResourceControl resources, boolean seccomp) {
    // bwrap is looked for before the private directory is made: nothing is left when it is missing.
    LaunchCommand unplaced = LaunchCommand.forUser(user, resources, seccomp);
    PrivateDirectory files = PrivateDirectory.create();
    return new SandboxRunner(unplaced.withSeccompFilter(files.seccompFilter()), user, resources, files);
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
    return command.raw(spec);
  }

  /**
   * Starts a minimal sandbox as launches do (same uid switch and namespaces) and reports why it
   * failed, or empty when it works: the readiness check of {@code doctor} and the server.
   */
  public Optional<String> probe() {
    return BwrapProbe.run(command.probe());
  }

  /**
   * Starts the execution and returns once bwrap is starting. {@code listener} is called from the
   * shared output pumps' threads as output arrives.
   *
   * @throws InvalidLaunchException when a path of the spec cannot be used
   * @throws SandboxUnavailableException when bwrap cannot be started
   */
  public SandboxExecution start(LaunchSpec spec, OutputListener listener) {
    Launcher launcher = prepare();
    started.add(launcher);
    return launch(launcher, spec, listener);
  }

  /**
   * For a process that exits after its launches (the CLI): waits until the launches made by
   * {@link #start} have finished their own cleanup (their groups removed, their command files
   * deleted), which goes on after the result is known, then removes this runner's private
   * directory and closes its threads. Without it the JVM's exit cuts that cleanup short and
   * leaves both behind. Call it once the sandboxes have ended (or been killed).
   */
  public void close() throws InterruptedException {
    for (Launcher launcher : started) {
      launcher.awaitEnd(TimeUnit.SECONDS.toMillis(30));
    }
    files.delete();
    threads.close();
  }

  /** The threads that start, pump and watch this runner's sandboxes (see {@link SandboxThreads}). */
  public SandboxThreads threads() {
    return threads;
  }

  /** A pool of {@code size} launches kept ready, for a server. */
  public LauncherPool pool(int size) {
    return new LauncherPool(this, size);
  }


  /** Where launches keep their files (see {@link PrivateDirectory}). */
  public Path privateDirectory() {
    return files.path();
  }

  /**
   * What a warm sandbox of {@code warmSpec} starts from (see {@code sandbox.warm}): the launch
   * checked, the commands that start it, and its group's name.
   */
  public WarmStart prepareWarm(LaunchSpec warmSpec) {
    LaunchPreflight.check(warmSpec, user);
    WarmCommands last = lastWarm;
    if (last == null || !last.spec().equals(warmSpec)) {
      last = new WarmCommands(warmSpec, command.warmScript(warmSpec));
      lastWarm = last;
    }
    return new WarmStart(resources, last.commands(), files.path(),
        RunOwner.GROUP_PREFIX + RunOwner.TOKEN + "-w" + launches.incrementAndGet());
  }

  /**
   * A warm sandbox's start, for the warm pool.
   *
   * @param commands the shell commands that start it
   * @param directory where launches keep their files
   * @param group the name of its resource group
   */
  public record WarmStart(ResourceControl resources, String commands, Path directory, String group) {}

  /** Starts making a launch ready. */
  Launcher prepare() {
    return new Launcher(resources, files.path(),
        RunOwner.GROUP_PREFIX + RunOwner.TOKEN + "-" + launches.incrementAndGet(), threads);
  }

  SandboxExecution launch(Launcher launcher, LaunchSpec spec, OutputListener listener) {
    String script;
    try {
      LaunchPreflight.check(spec, user);
      script = command.script(spec, launcher.files());
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

}
