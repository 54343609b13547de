package dev.bubblesandbox.sandbox;

import dev.bubblesandbox.HostFiles;
import dev.bubblesandbox.SandboxUnavailableException;
import dev.bubblesandbox.sandbox.limits.RunOwner;
import dev.bubblesandbox.sandbox.limits.SeccompFilter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A runner's own directory for what its launchers read as the caller: the seccomp filter and
 * each launch's command file. Owner-only and new (never an existing name, so never through a
 * link), named after the process so that a later run can tell a crashed run's directory.
 * Not Files.createTempDirectory: its secure random name generator costs the CLI's start-up
 * more than the sandbox does.
 */
final class PrivateDirectory {

  private static final String PREFIX = "bubble-sandbox-";

  private final Path path;
  private final Path seccompFilter;

  private PrivateDirectory(Path path, Path seccompFilter) {
    this.path = path;
    this.seccompFilter = seccompFilter;
  }

  static PrivateDirectory create() {
    Path path = tmp().resolve(PREFIX + RunOwner.TOKEN + "-" + System.nanoTime());
    try {
      Files.createDirectory(path, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      path.toFile().deleteOnExit();
      Path filter = path.resolve("seccomp.bpf");
      Files.write(filter, SeccompFilter.program(), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
      // Registered after the directory, so deleted before it.
      filter.toFile().deleteOnExit();
      return new PrivateDirectory(path, filter);
    } catch (IOException e) {
      throw new SandboxUnavailableException("Cannot create the runner's private directory: " + e.getMessage());
    }
  }

  Path path() {
    return path;
  }

  Path seccompFilter() {
    return seccompFilter;
  }

  /** Removes this directory and what is left in it. */
  void delete() {
    try {
      deleteTree(path);
    } catch (IOException | UncheckedIOException e) {
      // left for a later run's removeStale: it holds no data of anyone's
    }
  }

  /**
   * Removes the directories of runs whose process is gone. Only real directories of this uid
   * with mode 0700: the temporary directory is everyone's, and walking into a directory another
   * user can write would let them swap a name for a link under the walk.
   */
  static void removeStale() {
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(tmp(), PREFIX + "*-*")) {
      Integer ownUid = HostFiles.currentUid();
      for (Path entry : entries) {
        boolean crashed = RunOwner.tokenOf(entry.getFileName().toString(), PREFIX)
            .map(token -> !RunOwner.alive(token)).orElse(false);
        if (crashed && ownedPrivately(entry, ownUid)) {
          deleteTree(entry);
        }
      }
    } catch (IOException | UncheckedIOException | UnsupportedOperationException e) {
      // what cannot be listed or removed stays; it holds no data of anyone's
    }
  }

  private static boolean ownedPrivately(Path entry, Integer ownUid) throws IOException {
    return Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)
        && ownUid.equals(Files.getAttribute(entry, "unix:uid", LinkOption.NOFOLLOW_LINKS))
        && Files.getPosixFilePermissions(entry, LinkOption.NOFOLLOW_LINKS)
            .equals(PosixFilePermissions.fromString("rwx------"));
  }

  private static void deleteTree(Path root) throws IOException {
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path path : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(path);
      }
    }
  }

  private static Path tmp() {
    return Path.of(System.getProperty("java.io.tmpdir"));
  }
}
