package dev.bubblesandbox.cli;

import dev.bubblesandbox.BubbleSandboxException;
import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.environment.Environment;
import dev.bubblesandbox.environment.EnvironmentCatalog;
import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.sandbox.SandboxUser;
import java.io.IOException;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code doctor}: checks what sandboxes need and says how to fix what is missing. */
@Command(name = "doctor", mixinStandardHelpOptions = true,
    description = "Check bwrap, user namespaces, Python, cgroups and the environments.")
public final class DoctorCommand implements Callable<Integer> {

  @Mixin ConfigOption config = new ConfigOption();

  private boolean healthy = true;
  private boolean misconfigured;

  @Override
  public Integer call() {
    Settings settings = config.settings();
    SandboxUser user = SandboxUser.forCurrentProcess(settings.sandboxUid());
    user.dropTo().ifPresentOrElse(
        uid -> report(true, "running as root: sandboxes run as host uid " + uid, ""),
        () -> report(true, "running unprivileged: sandboxes run as this user", ""));

    SandboxRunner runner = null;
    try {
      runner = SandboxRunner.create(user);
      report(true, "bwrap and the uid switch are installed", "");
    } catch (BubbleSandboxException e) {
      report(false, e.getMessage(), "");
    }
    if (runner != null) {
      Optional<String> problem = runner.probe();
      report(problem.isEmpty(), problem.map(p -> "a sandbox cannot start: " + p)
              .orElse("a sandbox starts (user, PID and network namespaces work)"),
          "allow unprivileged user namespaces: sysctl -w user.max_user_namespaces=10000 "
              + "(and kernel.unprivileged_userns_clone=1 where it exists)");
    }

    // Java decodes file names (and the command line) in the locale's charset: under LANG=C a
    // file named café.txt cannot be read, listed or given back.
    String fileNames = System.getProperty("sun.jnu.encoding", "unknown");
    boolean utf8 = fileNames.equalsIgnoreCase("UTF-8") || fileNames.equalsIgnoreCase("UTF8");
    report(utf8, "file names are " + (utf8 ? "decoded as UTF-8" : "decoded as " + fileNames
            + ", not UTF-8: names with accents or other non-ASCII letters fail")
            + " (sun.jnu.encoding, from the locale)",
        "run through bin/bubble-sandbox (it sets a UTF-8 locale), or start Java with "
            + "LC_ALL=C.UTF-8 (LANG=C.UTF-8 when LC_ALL is unset)");

    boolean venvWorks = runs(settings.python(), "-m", "venv", "--help");
    report(venvWorks, venvWorks ? "Python for new environments: " + settings.python()
            : "cannot run '" + settings.python() + " -m venv'",
        "apt-get install -y python3 python3-venv (or set BUBBLE_SANDBOX_PYTHON)");

    if (runner != null) {
      java.util.Set<String> enforced = new java.util.TreeSet<>(runner.resources().enforced());
      java.util.Set<String> missing = runner.resources().unenforced();
      boolean allEnforced = missing.isEmpty();
      String how = (enforced.isEmpty() ? "" : String.join(", ", enforced) + " enforced with "
          + runner.resources().mechanism()) + (enforced.isEmpty() || missing.isEmpty() ? "" : "; ")
          + (missing.isEmpty() ? "" : String.join(", ", missing) + " NOT enforced");
      if (SandboxRunner.serverWouldUseCgroupV2()) {
        how = "all enforced with cgroup-v2 by serve (this process's group is delegated; serve moves "
            + "its processes into a 'server' leaf of it); " + how + " for the CLI";
        allEnforced = true;
      }
      report(allEnforced || settings.allowUnlimited(), "memory, process-count and CPU limits per sandbox: "
              + how + "; seccomp filter: on; wall-clock timeout, output cap and tmpfs size: on",
          "run as root on a host with cgroup v1 controllers memory, pids, cpu, cpuacct and freezer, "
              + "or a delegated cgroup v2 group with memory, pids and cpu; "
              + "or set BUBBLE_SANDBOX_ALLOW_UNLIMITED=true");
    }

    boolean quota = dev.bubblesandbox.session.workspace.QuotaMounts.available();
    report(quota || settings.allowUnlimited(), "session workspace quota: "
            + (quota ? "enforced (loop-mounted ext4 images)" : "NOT enforced"),
        "run as root with mkfs.ext4 (apt-get install -y e2fsprogs) and loop devices, "
            + "or set BUBBLE_SANDBOX_ALLOW_UNLIMITED=true");

    EnvironmentCatalog catalog = new EnvironmentCatalog(settings.environmentsDir());
    if (!java.nio.file.Files.isDirectory(catalog.root())) {
      // Checked first: a missing directory is not one the sandbox uid cannot reach.
      report(false, "the environments directory " + catalog.root() + " does not exist",
          EnvironmentsDirectory.howToPoint());
      misconfigured = true;
    } else {
      if (!user.canReach(catalog.root())) {
        report(false, "the environments directory " + catalog.root() + " cannot be reached by the sandbox uid",
            "chmod o+x on every directory above it, or move the environments (BUBBLE_SANDBOX_ENVIRONMENTS_DIR)");
      }
      if (catalog.names().isEmpty()) {
        report(false, "no environments in " + catalog.root(), "check BUBBLE_SANDBOX_ENVIRONMENTS_DIR");
      }
    }
    for (Environment environment : catalog.list()) {
      report(environment.ready(), "environment '" + environment.name() + "': "
              + environment.readiness().name().toLowerCase(java.util.Locale.ROOT),
          "bubble-sandbox sync-environments " + environment.name());
      if (environment.ready() && !environment.preload().modules().isEmpty()) {
        report(environment.preload().error().isEmpty(), "environment '" + environment.name()
                + "': preload " + String.join(", ", environment.preload().modules())
                + environment.preload().error().map(error -> " does not import: " + error
                    + " (warm sandboxes start without it)").orElse(" imports"),
            "fix [tool.bubble-sandbox] preload in " + environment.directory().resolve("pyproject.toml")
                + " or its dependencies, then: bubble-sandbox sync-environments " + environment.name());
      }
    }
    // A configuration error exits as every command's does; anything else missing with 1.
    return misconfigured ? RootCommand.USAGE_ERROR : healthy ? 0 : 1;
  }

  private void report(boolean ok, String what, String fix) {
    healthy &= ok;
    Console.OUT.println((ok ? "ok      " : "MISSING ") + what);
    if (!ok && !fix.isEmpty()) {
      Console.OUT.println("        fix: " + fix);
    }
  }

  private static boolean runs(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
      return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
