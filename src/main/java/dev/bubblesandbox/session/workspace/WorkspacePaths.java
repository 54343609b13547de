package dev.bubblesandbox.session.workspace;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.List;

/**
 * Resolves client-given paths inside a workspace. Sandboxed code controls the workspace and can
 * plant links ({@code out.txt -> /etc/shadow}, {@code up -> /etc}) or FIFOs between two requests,
 * so every component is checked on disk without following links, not only the string.
 */
public final class WorkspacePaths {

  private static final int MAX_NAME_BYTES = 255;

  private WorkspacePaths() {}

  /**
   * Splits a relative, '/'-separated path into its names.
   *
   * @throws RefusedException {@code invalid_path} for absolute paths, '..', '.', empty names, NUL
   *     bytes or names over 255 bytes
   */
  public static List<String> names(String relative) {
    if (relative == null || relative.isEmpty()) {
      throw invalid("The file path is empty.");
    }
    if (relative.indexOf('\0') >= 0) {
      throw invalid("The file path contains a NUL byte.");
    }
    if (relative.startsWith("/")) {
      throw invalid("The file path must be relative to the workspace, not absolute.");
    }
    List<String> names = List.of(relative.split("/", -1));
    for (String name : names) {
      if (name.isEmpty() || name.equals(".") || name.equals("..")) {
        throw invalid("The file path may not contain empty, '.' or '..' names.");
      }
      if (name.getBytes(StandardCharsets.UTF_8).length > MAX_NAME_BYTES) {
        throw invalid("A name in the file path is longer than 255 bytes.");
      }
    }
    return names;
  }

  /**
   * The regular file at {@code relative}, reached through real directories only.
   *
   * @throws RefusedException {@code file_not_found} when it does not exist, {@code invalid_path}
   *     when a component is a link or the target is not a regular file
   */
  public static Path existingFile(Path workspace, String relative) {
    Path path = existing(workspace, relative);
    BasicFileAttributes attributes = attributes(path);
    if (!attributes.isRegularFile()) {
      throw invalid("'" + relative + "' is not a regular file.");
    }
    return path;
  }

  /**
   * The existing entry at {@code relative}, whatever its type (a final link is returned as the
   * link), reached through real directories only.
   */
  public static Path existing(Path workspace, String relative) {
    List<String> names = names(relative);
    Path path = workspace;
    for (int i = 0; i < names.size(); i++) {
      path = path.resolve(names.get(i));
      BasicFileAttributes attributes = attributesOrNull(path);
      if (attributes == null) {
        throw new RefusedException(ErrorCode.FILE_NOT_FOUND, "No file '" + relative + "' in the workspace.");
      }
      if (i < names.size() - 1 && !attributes.isDirectory()) {
        throw attributes.isSymbolicLink()
            ? invalid("'" + relative + "' passes through a symbolic link.")
            : new RefusedException(ErrorCode.FILE_NOT_FOUND, "No file '" + relative + "' in the workspace.");
      }
    }
    return path;
  }

  /**
   * The directory that will hold {@code relative}, created as needed through real directories
   * only; returns the target path (which may not exist yet).
   *
   * @param onCreate called with each directory created, e.g. to hand it to the sandbox uid
   */
  public static Path targetForWrite(Path workspace, String relative, java.util.function.Consumer<Path> onCreate) {
    List<String> names = names(relative);
    Path dir = workspace;
    for (String name : names.subList(0, names.size() - 1)) {
      dir = dir.resolve(name);
      BasicFileAttributes attributes = attributesOrNull(dir);
      if (attributes == null) {
        try {
          Files.createDirectory(dir);
        } catch (IOException e) {
          throw invalid("Cannot create the directory for '" + relative + "'.");
        }
        onCreate.accept(dir);
      } else if (!attributes.isDirectory()) {
        throw invalid("'" + relative + "' passes through a symbolic link or a file.");
      }
    }
    Path target = dir.resolve(names.get(names.size() - 1));
    BasicFileAttributes attributes = attributesOrNull(target);
    if (attributes != null && attributes.isDirectory()) {
      throw invalid("'" + relative + "' is a directory.");
    }
    return target;
  }

  private static BasicFileAttributes attributes(Path path) {
    BasicFileAttributes attributes = attributesOrNull(path);
    if (attributes == null) {
      throw new RefusedException(ErrorCode.FILE_NOT_FOUND, "No such file.");
    }
    return attributes;
  }

  static BasicFileAttributes attributesOrNull(Path path) {
    try {
      return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return null;
    } catch (IOException e) {
      throw invalid("Cannot read '" + path.getFileName() + "'.");
    }
  }

  private static RefusedException invalid(String message) {
    return new RefusedException(ErrorCode.INVALID_PATH, message);
  }
}
