package dev.bubblesandbox.sandbox;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Checks, before a launch, that the paths a spec names exist and can be used by the sandbox uid:
 * bwrap would otherwise fail with an exit status that reads like the program's own.
 */
final class LaunchPreflight {

  private LaunchPreflight() {}

  /**
   * @throws InvalidLaunchException naming the path that cannot be used and what to do about it
   */
  static void check(LaunchSpec spec, SandboxUser user) {
    Path workDir = spec.workDir().orElse(null);
    if (workDir != null && !Files.isDirectory(workDir)) {
      throw new InvalidLaunchException("Work directory " + workDir + " does not exist.");
    }
    // bwrap runs as the sandbox uid and must search every directory down to a bind source;
    // otherwise it fails with exit 1, which reads like the script's own exit status.
    if (workDir != null && !user.canReach(workDir)) {
      throw new InvalidLaunchException("Work directory " + workDir + " cannot be reached by "
          + sandboxUidName(user) + "; choose a directory whose parents it can search (e.g. under /tmp).");
    }
    for (Volume volume : spec.volumes()) {
      if (!Files.isDirectory(volume.hostPath())) {
        throw new InvalidLaunchException("Volume '" + volume.name() + "': "
            + volume.hostPath() + " is not an existing directory.");
      }
      if (!user.canReach(volume.hostPath())) {
        throw new InvalidLaunchException("Volume '" + volume.name() + "': " + volume.hostPath()
            + " cannot be reached by " + sandboxUidName(user)
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

  private static String sandboxUidName(SandboxUser user) {
    return user.dropTo().isPresent() ? "the sandbox uid " + user.dropTo().getAsInt() : "this user";
  }

}
