package dev.bubblesandbox.sandbox;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a {@link LaunchSpec} into bwrap's arguments: a pure function, so every protection of
 * SPEC §1 can be checked without running bwrap. Mount order matters to bwrap: everything that
 * creates a mount point in the root comes before the root is made read-only.
 */
public final class BwrapArgs {

  /** Uid and gid inside the sandbox: anything but 0. */
  public static final String SANDBOX_ID = "1000";

  public static final String WORK_DIR = "/sandbox/work";
  public static final String VENV_DIR = "/sandbox/venv";

  private BwrapArgs() {}

  /** The variables the sandboxed process sees, and no others. */
  public static Map<String, String> sandboxEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("PATH", VENV_DIR + "/bin:/usr/bin:/bin");
    env.put("VIRTUAL_ENV", VENV_DIR);
    env.put("HOME", WORK_DIR);
    env.put("LANG", "C.UTF-8");
    env.put("PYTHONUNBUFFERED", "1");
    env.put("PYTHONDONTWRITEBYTECODE", "1");
    env.put("MPLBACKEND", "Agg");
    return env;
  }

  /** The file descriptor the launcher opens the seccomp filter on. */
  public static final int SECCOMP_FD = 3;

  /** The file descriptor the launcher opens a program's source on (see {@link Program}). */
  public static final int SOURCE_FD = 4;

  /**
   * The file descriptor bwrap writes its status to: {@code "exit-code"} appears in it only once
   * the program has been executed, so its absence tells a failed start from the program's exit.
   */
  public static final int STATUS_FD = 5;

  /**
   * The arguments after {@code bwrap} for a start without a launcher (descriptors 3 to 5 are
   * not open): no seccomp filter, no status, and so no program with a source.
   */
  public static List<String> build(LaunchSpec spec, HostLayout host) {
    if (spec.program().source().isPresent()) {
      throw new IllegalArgumentException("A program with a source starts only through a launcher.");
    }
    return build(spec, host, false, false);
  }

  /**
   * The arguments after {@code bwrap} for a launcher's start, ending with the sandboxed argv:
   * the status goes to {@link #STATUS_FD}, a program's source comes from {@link #SOURCE_FD}.
   *
   * @param seccomp whether bwrap loads the filter from {@link #SECCOMP_FD}
   */
  public static List<String> build(LaunchSpec spec, HostLayout host, boolean seccomp) {
    return build(spec, host, seccomp, true);
  }

  private static List<String> build(LaunchSpec spec, HostLayout host, boolean seccomp,
      boolean launched) {
    List<String> args = new ArrayList<>();
    // Namespaces: no network, own PIDs, IPC, UTS and cgroup view, and an unprivileged user
    // with no capabilities that cannot create further user namespaces.
    args.addAll(List.of("--unshare-all", "--unshare-user", "--disable-userns"));
    args.addAll(List.of("--uid", SANDBOX_ID, "--gid", SANDBOX_ID, "--cap-drop", "ALL"));
    args.addAll(List.of("--hostname", "sandbox", "--new-session", "--die-with-parent"));

    args.addAll(List.of("--ro-bind", "/usr", "/usr"));
    host.links().forEach((link, target) -> args.addAll(List.of("--symlink", target, link)));
    host.directories().forEach(dir -> args.addAll(List.of("--ro-bind", dir, dir)));

    // A fresh procfs for the new PID namespace, its sysctl tree read-only.
    args.addAll(List.of("--proc", "/proc", "--ro-bind", "/proc/sys", "/proc/sys"));
    args.addAll(List.of("--dev", "/dev"));
    String tmpfsSize = Long.toString(spec.limits().tmpfsSizeBytes());
    args.addAll(List.of("--perms", "1777", "--size", tmpfsSize, "--tmpfs", "/tmp"));
    args.addAll(List.of("--perms", "1777", "--size", tmpfsSize, "--tmpfs", "/dev/shm"));

    args.addAll(List.of("--ro-bind", path(spec.environment().venv()), VENV_DIR));
    spec.environment()
        .basePrefix()
        .ifPresent(prefix -> args.addAll(List.of("--ro-bind", path(prefix), path(prefix))));
    if (spec.workDir().isPresent()) {
      args.addAll(List.of("--bind", path(spec.workDir().get()), WORK_DIR));
    } else {
      args.addAll(List.of("--perms", "0700", "--size", Long.toString(spec.limits().workspaceBytes()),
          "--tmpfs", WORK_DIR));
    }
    args.addAll(List.of("--symlink", "work", "/sandbox/workspace"));
    for (Volume volume : spec.volumes()) {
      args.addAll(List.of(volume.writable() ? "--bind" : "--ro-bind",
          path(volume.hostPath()), volume.sandboxPath()));
    }

    if (spec.program().source().isPresent()) {
      // A copy of the source, in a file of the sandbox's own root: it names no host path.
      args.addAll(List.of("--perms", "0444", "--ro-bind-data", Integer.toString(SOURCE_FD),
          Program.SOURCE_PATH));
    }

    // bwrap's root and /dev are unlimited tmpfs: make both read-only now that all mount points
    // exist (device nodes stay usable on a read-only mount).
    args.addAll(List.of("--remount-ro", "/dev", "--remount-ro", "/"));

    if (seccomp) {
      // Also installed by bwrap for its own init in the sandbox.
      args.addAll(List.of("--seccomp", Integer.toString(SECCOMP_FD)));
    }
    if (launched) {
      args.addAll(List.of("--json-status-fd", Integer.toString(STATUS_FD)));
    }
    args.addAll(List.of("--chdir", WORK_DIR, "--clearenv"));
    sandboxEnvironment().forEach((name, value) -> args.addAll(List.of("--setenv", name, value)));
    args.add("--");
    args.addAll(spec.argv());
    return args;
  }

  private static String path(Path path) {
    return path.toAbsolutePath().normalize().toString();
  }
}
