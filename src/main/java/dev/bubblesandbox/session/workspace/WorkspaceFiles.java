package dev.bubblesandbox.session.workspace;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.HostFiles;
import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.sandbox.SandboxUser;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * The files inside a session's workspace, as the files API sees them: listing, deleting, and the
 * upload policy (allowed extensions, paths through real directories, received files moved into
 * place, a full workspace reported as {@code payload_too_large}). Every method blocks: call them
 * from worker threads.
 */
public final class WorkspaceFiles {

  private final SandboxUser user;
  private final Set<String> allowedExtensions;

  WorkspaceFiles(SandboxUser user, List<String> allowedExtensions) {
    this.user = user;
    this.allowedExtensions = Set.copyOf(allowedExtensions);
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
   * The data, and then the directory entry, reach the disk before this returns: a client that
   * was told its upload landed does not lose it to a power cut.
   *
   * @throws RefusedException {@code payload_too_large} when it does not fit in the workspace
   */
  public void place(Path received, Path target) {
    Path staged = received;
    try {
      if (!Files.getFileStore(received).equals(Files.getFileStore(target.getParent()))) {
        staged = target.resolveSibling(".upload-" + UUID.randomUUID());
        Files.copy(received, staged);
      }
      user.handOver(staged);
      force(staged);
      Files.move(staged, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      force(target.getParent());
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

  /** fsync(2) of a file or a directory (Linux opens both for reading). */
  private static void force(Path path) throws IOException {
    try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
      channel.force(true);
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
}
