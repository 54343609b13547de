package dev.bubblesandbox.sandbox;

import dev.bubblesandbox.HostFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * A host work directory for tests that look at what a sandbox wrote, owned by the sandbox uid
 * and deleted on close.
 */
public final class TemporaryWorkDir implements AutoCloseable {

  /** Prefix of every temporary work directory, so that stale ones can be found and removed. */
  public static final String PREFIX = "bubble-sandbox-work-";

  private final Path path;

  private TemporaryWorkDir(Path path) {
    this.path = path;
  }

  /** Creates one under {@code parent}, readable by nobody but the sandbox uid. */
  public static TemporaryWorkDir create(Path parent, SandboxUser user) {
    try {
      Files.createDirectories(parent);
      Path dir = Files.createTempDirectory(parent, PREFIX,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      user.handOver(dir);
      return new TemporaryWorkDir(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public Path path() {
    return path;
  }

  @Override
  public void close() {
    try {
      HostFiles.deleteRecursively(path);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete work directory " + path, e);
    }
  }
}
