package dev.bubblesandbox.cli.repl;

import dev.bubblesandbox.HostFiles;
import dev.bubblesandbox.cli.handover.OwnershipHandover;
import dev.bubblesandbox.sandbox.InvalidLaunchException;
import dev.bubblesandbox.sandbox.SandboxUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * The host directory a repl's kernel works in, bound at {@code /sandbox/work}: the one given
 * with {@code -w}, lent to the sandbox uid for the repl's life and given back as the run commands
 * give theirs; otherwise a fresh one under the temporary directory, removed at the end. A host
 * directory rather than the run commands' scratch tmpfs: images are saved there for the user to
 * open, and the kernel's own spilled results are read from there.
 */
final class ReplWorkDir {

  private final Path path;
  private final boolean temporary;
  private final OwnershipHandover handover;
  private boolean ended;

  private ReplWorkDir(Path path, boolean temporary, OwnershipHandover handover) {
    this.path = path;
    this.temporary = temporary;
    this.handover = handover;
  }

  /** {@code given} (lent when we run as root) or, when null, a new temporary directory. */
  static ReplWorkDir open(Path given, SandboxUser user) {
    try {
      if (given == null) {
        Path dir = Files.createTempDirectory("bubble-sandbox-repl-",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        user.handOver(dir);
        return new ReplWorkDir(dir, true, null);
      }
      Path dir = given.toAbsolutePath().normalize();
      if (!Files.isDirectory(dir)) {
        throw new InvalidLaunchException("Work directory " + dir + " does not exist.");
      }
      // its real path: a link would be lent as the link, not as the directory bwrap binds
      dir = dir.toRealPath();
      OwnershipHandover handover = null;
      if (user.dropTo().isPresent()) {
        handover = OwnershipHandover.record(List.of(dir), user.dropTo().getAsInt());
        handover.handOver();
      }
      return new ReplWorkDir(dir, false, handover);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  Path path() {
    return path;
  }

  boolean temporary() {
    return temporary;
  }

  /**
   * Removes the temporary directory, or gives the lent one back. Once; only after the kernel's
   * processes are gone, which could otherwise change the tree under the walk.
   */
  synchronized void end() throws IOException {
    if (ended) {
      return;
    }
    ended = true;
    if (temporary) {
      HostFiles.deleteRecursively(path);
    } else if (handover != null) {
      handover.restore();
    }
  }
}
