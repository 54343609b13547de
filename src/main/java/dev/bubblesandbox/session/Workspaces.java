package dev.bubblesandbox.session;

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
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The workspace directory tree: {@code sessions/<id>} (bound at /sandbox/work),
 * {@code volumes/<name>}, {@code tmp/} for one-shot work dirs, and {@code persistent/<id>}
 * markers, kept outside the workspaces so sandboxed code cannot forge them. Every method blocks:
 * call them from worker threads.
 */
public final class Workspaces {

  private final Path root;
  private final SandboxUser user;
  private final Set<String> allowedExtensions;
  /** Size-limited workspaces where the host can make them; else workspaces are plain directories. */
  private final java.util.Optional<QuotaMounts> quota;

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
   * Creates the tree's directories, searchable (not listable) by others, and checks that the
   * sandbox uid can reach them: bwrap binds a workspace as that uid.
   *
   * @throws InvalidSettingException when a parent directory shuts the sandbox uid out
   */
  public void prepare() {
    try {
      for (Path dir : List.of(root, root.resolve("sessions"), root.resolve("volumes"), tmpDir(),
          root.resolve("persistent"), images())) {
        if (!Files.isDirectory(dir)) {
          Files.createDirectories(dir);
          Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(
              dir.equals(images()) ? "rwx------" : "rwx--x--x"));
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
  }

  public Path sessionDir(String sessionId) {
    return root.resolve("sessions").resolve(sessionId);
  }

  public Path tmpDir() {
    return root.resolve("tmp");
  }

  /** Creates the session's workspace, or finds the one a persistent session left. */
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
      Files.deleteIfExists(marker(sessionId));
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

  /** Keeps the session's files for a later session with the same id, across restarts too. */
  public void keep(String sessionId) {
    quota.ifPresent(mounts -> mounts.unmount(sessionDir(sessionId)));
    try {
      Files.writeString(marker(sessionId), "");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes the session's files. */
  public void remove(String sessionId) {
    quota.ifPresent(mounts -> mounts.unmount(sessionDir(sessionId)));
    try {
      HostFiles.deleteRecursively(sessionDir(sessionId));
      Files.deleteIfExists(image(sessionId));
      Files.deleteIfExists(marker(sessionId));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Removes what a crashed or stopped run left: partial uploads, mounts, and the workspaces of
   * sessions that were not kept. Kept (persistent) workspaces stay.
   */
  public void removeStale() {
    quota.ifPresent(mounts -> mounts.unmountAllUnder(root.resolve("sessions")));
    try {
      for (Path dir : children(tmpDir())) {
        HostFiles.deleteRecursively(dir);
      }
      for (Path dir : children(root.resolve("sessions"))) {
        if (!Files.exists(marker(dir.getFileName().toString()))) {
          HostFiles.deleteRecursively(dir);
        }
      }
      for (Path image : children(images())) {
        String id = image.getFileName().toString().replaceFirst("\\.img$", "");
        if (!Files.exists(marker(id))) {
          Files.deleteIfExists(image);
        }
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
      throw new RefusedException("unsupported_extension",
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
    return new RefusedException("payload_too_large", "The upload does not fit in the session's workspace quota.");
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

  private Path marker(String sessionId) {
    return root.resolve("persistent").resolve(sessionId);
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
