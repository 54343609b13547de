package dev.bubblesandbox.session.workspace;

import dev.bubblesandbox.HostFiles;
import dev.bubblesandbox.config.InvalidSettingException;
import dev.bubblesandbox.sandbox.SandboxUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The workspace directory tree: {@code sessions/<id>} (bound at /sandbox/work), their images
 * {@code images/<id>.img} where workspaces are size-limited, {@code volumes/<name>}, {@code tmp/}
 * for one-shot work dirs, and {@code records/<id>.json}, the session records (see
 * {@link dev.bubblesandbox.session.SessionRecords}), kept outside the workspaces so sandboxed
 * code cannot forge them. Every method blocks: call them from worker threads.
 */
public final class Workspaces {

  private final Path root;
  private final SandboxUser user;
  private final WorkspaceFiles files;
  /** Size-limited workspaces where the host can make them; else workspaces are plain directories. */
  private final java.util.Optional<QuotaMounts> quota;
  private WorkspaceLock lock;

  public Workspaces(Path root, SandboxUser user, List<String> allowedExtensions, long quotaBytes) {
    this.root = root.toAbsolutePath().normalize();
    this.user = user;
    this.files = new WorkspaceFiles(user, allowedExtensions);
    this.quota = QuotaMounts.available()
        ? java.util.Optional.of(new QuotaMounts(quotaBytes, user.dropTo())) : java.util.Optional.empty();
  }

  /** The files inside workspaces, and the upload policy. */
  public WorkspaceFiles files() {
    return files;
  }

  /** Whether session workspaces are size-limited on this host. */
  public boolean quotaEnforced() {
    return quota.isPresent();
  }

  /**
   * Creates the tree's directories, searchable (not listable) by others, checks that the
   * sandbox uid can reach them (bwrap binds a workspace as that uid), and takes the directory for
   * this server alone until {@link #release()}.
   *
   * @throws InvalidSettingException when a parent directory shuts the sandbox uid out, or another
   *     running server uses the directory
   */
  public synchronized void prepare() {
    try {
      for (Path dir : List.of(root, root.resolve("sessions"), root.resolve("volumes"), tmpDir(),
          recordsDir(), images())) {
        if (!Files.isDirectory(dir)) {
          Files.createDirectories(dir);
          Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(
              dir.equals(images()) || dir.equals(recordsDir()) ? "rwx------" : "rwx--x--x"));
        }
      }
    } catch (IOException e) {
      throw new InvalidSettingException("Invalid setting workspace_dir (BUBBLE_SANDBOX_WORKSPACE_DIR): "
          + "cannot create " + root + ": " + e.getMessage());
    }
    if (!user.canReach(tmpDir())) {
      throw new InvalidSettingException("Invalid setting workspace_dir (BUBBLE_SANDBOX_WORKSPACE_DIR): "
          + root + " is not reachable by the sandbox uid; make it and its parents searchable "
          + "(chmod o+x) or choose another directory.");
    }
    if (lock == null) {
      lock = WorkspaceLock.take(root.resolve("server.lock"), root);
    }
  }

  /** Lets another server use the directory: after a shutdown, or a start that failed. */
  public synchronized void release() {
    if (lock != null) {
      lock.release();
      lock = null;
    }
  }

  public Path sessionDir(String sessionId) {
    return root.resolve("sessions").resolve(sessionId);
  }

  public Path tmpDir() {
    return root.resolve("tmp");
  }

  /** Where the session records live: beside the workspaces, out of every sandbox's reach. */
  public Path recordsDir() {
    return root.resolve("records");
  }

  /**
   * Creates the session's workspace, or finds (and mounts) the one a kept or crashed session
   * left.
   */
  public Path open(String sessionId) {
    Path dir = sessionDir(sessionId);
    try {
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(dir,
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      }
      if (quota.isPresent()) {
        quota.get().mount(image(sessionId), dir);
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
      }
      user.handOver(dir);
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A volume shared by sessions that name it, handed to the sandbox uid when writable. */
  public Path volume(String name, boolean writable) {
    Path dir = root.resolve("volumes").resolve(name);
    try {
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        Files.createDirectory(dir);
      }
      if (writable) {
        user.handOver(dir);
      }
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Puts the workspace away with its files (unmounts it), for a later session with the same id. */
  public void close(String sessionId) {
    quota.ifPresent(mounts -> mounts.unmount(sessionDir(sessionId)));
  }

  /** Deletes the session's files. */
  public void remove(String sessionId) {
    quota.ifPresent(mounts -> mounts.unmount(sessionDir(sessionId)));
    try {
      HostFiles.deleteRecursively(sessionDir(sessionId));
      Files.deleteIfExists(image(sessionId));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether the session's files are still there to open: its image where workspaces are
   * size-limited (the directory is only its mount point), else its directory.
   */
  public boolean hasData(String sessionId) {
    return quota.isPresent()
        ? Files.isRegularFile(image(sessionId), LinkOption.NOFOLLOW_LINKS)
        : Files.isDirectory(sessionDir(sessionId), LinkOption.NOFOLLOW_LINKS);
  }

  /**
   * Removes what a crashed or stopped run left: partial uploads, mounts other than those of
   * {@code mounted}, and the workspaces of sessions without a record (throwaway console sessions,
   * a creation cut short). Every workspace in {@code recorded} stays.
   *
   * @return the ids of the workspaces removed
   */
  public List<String> removeStale(Set<String> recorded, Set<String> mounted) {
    Set<String> removed = new TreeSet<>();
    quota.ifPresent(mounts -> mounts.unmountAllUnder(root.resolve("sessions"),
        mounted.stream().map(this::sessionDir).collect(Collectors.toSet())));
    try {
      for (Path dir : children(tmpDir())) {
        HostFiles.deleteRecursively(dir);
      }
      for (Path dir : children(root.resolve("sessions"))) {
        if (!recorded.contains(dir.getFileName().toString())) {
          HostFiles.deleteRecursively(dir);
          removed.add(dir.getFileName().toString());
        }
      }
      for (Path image : children(images())) {
        String name = image.getFileName().toString();
        String id = name.endsWith(".img") ? name.substring(0, name.length() - 4) : name;
        if (!recorded.contains(id)) {
          Files.deleteIfExists(image);
          removed.add(id);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return List.copyOf(removed);
  }

  private Path images() {
    return root.resolve("images");
  }

  private Path image(String sessionId) {
    return images().resolve(sessionId + ".img");
  }

  /**
   * Where earlier versions marked kept sessions (see
   * {@link dev.bubblesandbox.session.LegacyKeptMarkers}).
   */
  public Path legacyMarkersDir() {
    return root.resolve("persistent");
  }

  /** The entries of a directory; none when it is missing. */
  public static List<Path> children(Path dir) throws IOException {
    if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      return List.of();
    }
    List<Path> children = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      stream.forEach(children::add);
    }
    return children;
  }
}
