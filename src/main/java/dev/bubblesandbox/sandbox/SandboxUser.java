package dev.bubblesandbox.sandbox;

import dev.bubblesandbox.HostFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;
import java.util.OptionalInt;

/**
 * The host uid that bwrap runs as. When the caller is root, bwrap is started as a dedicated
 * unprivileged uid instead: as host root, sandboxed code could write {@code /proc/sys} and leave
 * setuid-root files in its work dir. That uid must then own the work dir.
 */
public final class SandboxUser {

  private final OptionalInt dropTo;

  private SandboxUser(OptionalInt dropTo) {
    this.dropTo = dropTo;
  }

  /** For this process: drop to {@code sandboxUid} when running as root, else stay as we are. */
  public static SandboxUser forCurrentProcess(int sandboxUid) {
    if (sandboxUid == 0) {
      throw new IllegalArgumentException("the sandbox uid must not be 0");
    }
    return new SandboxUser(HostFiles.currentUid() == 0 ? OptionalInt.of(sandboxUid) : OptionalInt.empty());
  }

  /** The uid bwrap is switched to, empty when it runs as the caller. */
  public OptionalInt dropTo() {
    return dropTo;
  }

  /** The command prefix that switches to the sandbox uid before bwrap starts. */
  public List<String> commandPrefix(Path setpriv) {
    if (dropTo.isEmpty()) {
      return List.of();
    }
    String id = Integer.toString(dropTo.getAsInt());
    return List.of(setpriv.toString(), "--reuid=" + id, "--regid=" + id, "--clear-groups",
        "--no-new-privs");
  }

  /** Makes {@code dir} and everything below it the sandbox uid's, so the sandbox can write it. */
  public void handOver(Path dir) {
    if (dropTo.isEmpty()) {
      return;
    }
    int uid = dropTo.getAsInt();
    try {
      Files.walkFileTree(dir, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
          chown(d, uid);
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
          chown(file, uid);
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void chown(Path path, int uid) throws IOException {
    // NOFOLLOW: a link planted by a sandbox must not hand over its target.
    Files.setAttribute(path, "unix:uid", uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
    Files.setAttribute(path, "unix:gid", uid, java.nio.file.LinkOption.NOFOLLOW_LINKS);
  }

  /** Whether the sandbox uid can write into {@code dir} (checked by owner and mode). */
  public boolean canWrite(Path dir) {
    if (dropTo.isEmpty()) {
      return Files.isWritable(dir);
    }
    try {
      int owner = (Integer) Files.getAttribute(dir, "unix:uid");
      int mode = (Integer) Files.getAttribute(dir, "unix:mode");
      return (owner == dropTo.getAsInt() && (mode & 0200) != 0) || (mode & 0002) != 0;
    } catch (IOException e) {
      return false;
    }
  }

  /** Whether the sandbox uid can reach (search every directory down to) {@code path}. */
  public boolean canReach(Path path) {
    if (dropTo.isEmpty()) {
      return Files.isReadable(path);
    }
    try {
      for (Path p = path.toAbsolutePath(); p != null; p = p.getParent()) {
        int owner = (Integer) Files.getAttribute(p, "unix:uid");
        int mode = (Integer) Files.getAttribute(p, "unix:mode");
        boolean searchable = owner == dropTo.getAsInt() ? (mode & 0100) != 0 : (mode & 0001) != 0;
        if (!searchable) {
          return false;
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
