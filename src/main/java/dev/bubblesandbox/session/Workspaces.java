package dev.bubblesandbox.session;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.HostFiles;
import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.config.InvalidSettingException;
import dev.bubblesandbox.sandbox.SandboxUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * The workspace directory tree: {@code sessions/<id>} (bound at /sandbox/work), their images
 * {@code images/<id>.img} where workspaces are size-limited, {@code volumes/<name>}, {@code tmp/}
 * for one-shot work dirs, and {@code records/<id>.json}, the session records (see
 * {@link SessionRecords}), kept outside the workspaces so sandboxed code cannot forge them. Every
 * method blocks: call them from worker threads.
 */
public final class Workspaces {

  private final Path root;
  private final SandboxUser user;
  private final Set<String> allowedExtensions;
  /** Size-limited workspaces where the host can make them; else workspaces are plain directories. */
  private final java.util.Optional<QuotaMounts> quota;
  private WorkspaceLock lock;

  public Workspaces(Path root, SandboxUser user, List<String> allowedExtensions, long quotaBytes) {
    this.root = root.toAbsolutePath().normalize();
    this.user = user;
    this.allowedExtensions = Set.copyOf(allowedExtensions);
    this.quota = QuotaMounts.available()
        ? java.util.Optional.of(new QuotaMounts(quotaBytes, user.dropTo())) : java.util.Optional.empty();
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
  Path recordsDir() {
    return root.resolve("records");
  }

  /**
   * Creates the session's workspace, or finds (and mounts) the one a kept or crashed session
   * left.
   */
  Path open(String sessionId) {
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
  void close(String sessionId) {
    quota.ifPresent(mounts -> mounts.unmount(sessionDir(sessionId)));
  }

  /** Deletes the session's files. */
  void remove(String sessionId) {
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
  boolean hasData(String sessionId) {
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
  List<String> removeStale(Set<String> recorded, Set<String> mounted) {
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

  /**
   * The ids that earlier versions marked as kept with an empty {@code persistent/<id>} file, and
   * when each was kept; {@link #forgetLegacyMarker} deletes one once its record is written.
   */
  Map<String, Instant> legacyKeptMarkers() {
    Map<String, Instant> kept = new TreeMap<>();
    try {
      for (Path marker : children(legacyMarkers())) {
        kept.put(marker.getFileName().toString(), Files.getLastModifiedTime(marker).toInstant());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return kept;
  }

  void forgetLegacyMarker(String sessionId) {
    try {
      Files.deleteIfExists(legacyMarkers().resolve(sessionId));
      if (children(legacyMarkers()).isEmpty()) {
        Files.deleteIfExists(legacyMarkers());
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every regular file of the workspace, recursively; links, FIFOs and devices are left out. */
  public List<FileEntry> list(Path workspace) {
    List<FileEntry> entries = new ArrayList<>();
    try {
      Files.walkFileTree(workspace, new SimpleFileVisitor<>() {
        @Override
        public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
          if (attributes.isRegularFile()) {
            String path = workspace.relativize(file).toString();
            entries.add(new FileEntry(path, attributes.size(),
                attributes.lastModifiedTime().toInstant().toString()));
          }
          return FileVisitResult.CONTINUE;
        }

        @Override
        public FileVisitResult visitFileFailed(Path file, IOException e) {
          return FileVisitResult.CONTINUE;
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    entries.sort(Comparator.comparing(FileEntry::path));
    return entries;
  }

  /**
   * Checks a path for upload before any byte is written: its names, its extension, and that it
   * leads through real directories (created as needed).
   *
   * @return where the file will be placed
   */
  public Path uploadTarget(Path workspace, String relative) {
    List<String> names = WorkspacePaths.names(relative);
    checkExtension(names.get(names.size() - 1));
    return WorkspacePaths.targetForWrite(workspace, relative, user::handOver);
  }

  /** Checks the extension of a file name against the allowed list. */
  public void checkExtension(String fileName) {
    int dot = fileName.lastIndexOf('.');
    String extension = dot < 0 ? "" : fileName.substring(dot).toLowerCase(Locale.ROOT);
    if (!allowedExtensions.contains(extension)) {
      throw new RefusedException(ErrorCode.UNSUPPORTED_EXTENSION,
          "Files ending in '" + (extension.isEmpty() ? fileName : extension)
              + "' may not be uploaded; allowed: " + String.join(", ", allowedExtensions.stream().sorted().toList()) + ".");
    }
  }

  /**
   * Moves a fully received upload into place; a link at the target is replaced, not followed.
   * From another file system (a size-limited workspace), it is copied beside the target first.
   *
   * @throws RefusedException {@code payload_too_large} when it does not fit in the workspace
   */
  public void place(Path received, Path target) {
    Path staged = received;
    try {
      if (!Files.getFileStore(received).equals(Files.getFileStore(target.getParent()))) {
        staged = target.resolveSibling(".upload-" + java.util.UUID.randomUUID());
        Files.copy(received, staged);
      }
      user.handOver(staged);
      Files.move(staged, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      if (staged != received) {
        try {
          Files.deleteIfExists(staged);
        } catch (IOException cleanup) {
          e.addSuppressed(cleanup);
        }
      }
      throw outOfSpace(e) ? quotaExceeded() : new UncheckedIOException(e);
    }
  }

  /** Whether a write failed because the workspace is full. */
  public static boolean outOfSpace(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains("No space left on device")) {
        return true;
      }
    }
    return false;
  }

  public static RefusedException quotaExceeded() {
    return new RefusedException(ErrorCode.PAYLOAD_TOO_LARGE, "The upload does not fit in the session's workspace quota.");
  }

  /** Deletes a file, a directory tree, or a link itself (never its target). */
  public void delete(Path workspace, String relative) {
    Path path = WorkspacePaths.existing(workspace, relative);
    try {
      HostFiles.deleteRecursively(path);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Path images() {
    return root.resolve("images");
  }

  private Path image(String sessionId) {
    return images().resolve(sessionId + ".img");
  }

  private Path legacyMarkers() {
    return root.resolve("persistent");
  }

  private static List<Path> children(Path dir) throws IOException {
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
