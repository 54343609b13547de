package dev.bubblesandbox.session.workspace;

import dev.bubblesandbox.HostFiles;
import dev.bubblesandbox.MountTable;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Size-limited session workspaces: each is a sparse ext4 image, loop-mounted on the session's
 * directory. The kernel refuses writes past its size (ENOSPC) inside the sandbox and for uploads
 * alike, and nothing can race the check; the image survives restarts, so persistent sessions keep
 * their files. Needs root, mkfs.ext4 and loop devices.
 */
public final class QuotaMounts {

  /** ext4 keeps a few percent for its own tables: the image is that much larger than the quota. */
  private static final double FILESYSTEM_OVERHEAD = 1.08;

  private final long quotaBytes;
  private final OptionalInt owner;

  QuotaMounts(long quotaBytes, OptionalInt owner) {
    this.quotaBytes = quotaBytes;
    this.owner = owner;
  }

  /** Whether this host can make such workspaces. */
  public static boolean available() {
    return Files.isExecutable(Path.of("/usr/sbin/mkfs.ext4")) && Files.isExecutable(Path.of("/usr/bin/mount"))
        && Files.exists(Path.of("/dev/loop-control")) && isRoot();
  }

  private static boolean isRoot() {
    try {
      return HostFiles.currentUid() == 0;
    } catch (UncheckedIOException e) {
      return false;
    }
  }

  /**
   * Mounts {@code image} on {@code dir}, making the image first when there is none; nothing when
   * it is mounted already (a session restored after a crash finds the mount the dead server left).
   */
  void mount(Path image, Path dir) {
    if (isMountPoint(dir)) {
      return;
    }
    try {
      if (!Files.exists(image)) {
        Files.createDirectories(image.getParent());
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw")) {
          file.setLength((long) (quotaBytes * FILESYSTEM_OVERHEAD) + (1 << 20));
        }
        String id = Integer.toString(owner.orElse(0));
        run("/usr/sbin/mkfs.ext4", "-q", "-F", "-m", "0", "-O", "^has_journal",
            "-E", "root_owner=" + id + ":" + id, image.toString());
      }
      Files.createDirectories(dir);
      run("/usr/bin/mount", "-o", "loop,nosuid,nodev", image.toString(), dir.toString());
      Files.deleteIfExists(dir.resolve("lost+found"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Unmounts whatever is mounted on {@code dir}. */
  void unmount(Path dir) {
    if (isMountPoint(dir)) {
      run("/usr/bin/umount", "--lazy", dir.toString());
    }
  }

  /**
   * Unmounts every workspace mounted under {@code parent}, e.g. after a crash, but those in
   * {@code spared}.
   */
  void unmountAllUnder(Path parent, Set<Path> spared) {
    for (Path mountPoint : mountPoints()) {
      if (mountPoint.startsWith(parent) && !mountPoint.equals(parent) && !spared.contains(mountPoint)) {
        run("/usr/bin/umount", "--lazy", mountPoint.toString());
      }
    }
  }

  private static boolean isMountPoint(Path dir) {
    return mountPoints().contains(dir.toAbsolutePath().normalize());
  }

  private static List<Path> mountPoints() {
    try {
      return MountTable.read().stream().map(MountTable.Mount::mountPoint).toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void run(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getOutputStream().close();
      String output = new String(process.getInputStream().readAllBytes()).strip();
      if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " failed: " + output);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
