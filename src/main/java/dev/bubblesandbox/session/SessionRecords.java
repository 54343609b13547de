package dev.bubblesandbox.session;

import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The session records on disk, one {@code <id>.json} file each. A record is replaced as a whole:
 * written to a temporary file, forced to disk, renamed over the old one, and the directory forced
 * too, so that after a crash (of the server or of the host) each record is either the old or the
 * new one, never a torn mix. Every method blocks: call them from worker threads.
 */
final class SessionRecords {

  private static final String SUFFIX = ".json";
  /** Temporary files start with a dot: never a session id, so never mistaken for a record. */
  private static final String TEMPORARY_PREFIX = ".";

  private final Path dir;

  SessionRecords(Path dir) {
    this.dir = dir;
  }

  /** What {@link #readAll()} found: the records, and the ids whose file could not be read. */
  record Contents(List<SessionRecord> records, List<Unreadable> unreadable) {}

  /** A record file that exists but cannot be read: its session's data is left alone. */
  record Unreadable(String id, String reason) {}

  /** Writes (or replaces) the record, atomically and durably. */
  void write(SessionRecord record) {
    Path target = file(record.id());
    Path temporary = dir.resolve(TEMPORARY_PREFIX + record.id() + SUFFIX + ".tmp");
    byte[] bytes = record.toJson().encodePrettily().getBytes(StandardCharsets.UTF_8);
    try {
      try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      forceDirectory();
    } catch (IOException e) {
      try {
        Files.deleteIfExists(temporary);
      } catch (IOException cleanup) {
        e.addSuppressed(cleanup);
      }
      throw new UncheckedIOException("cannot write the record of session '" + record.id() + "'", e);
    }
  }

  /** Deletes the record, durably; nothing when there is none. */
  void delete(String id) {
    try {
      if (Files.deleteIfExists(file(id))) {
        forceDirectory();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot delete the record of session '" + id + "'", e);
    }
  }

  /** Whether a record file exists for the id, readable or not. */
  boolean exists(String id) {
    return Files.exists(file(id));
  }

  /** The record of that session; empty when there is none or it cannot be read. */
  Optional<SessionRecord> read(String id) {
    try {
      return Optional.of(parse(id, Files.readString(file(id), StandardCharsets.UTF_8)));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * Every record, with the files that cannot be read kept apart. Temporary files a crash left
   * mid-write are deleted: the record they were to replace is still there, whole.
   *
   * @throws UncheckedIOException when the directory itself cannot be read: better no start than
   *     a start that takes every workspace for unrecorded
   */
  Contents readAll() {
    List<SessionRecord> records = new ArrayList<>();
    List<Unreadable> unreadable = new ArrayList<>();
    try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
      for (Path path : stream) {
        String name = path.getFileName().toString();
        if (name.startsWith(TEMPORARY_PREFIX)) {
          Files.deleteIfExists(path);
          continue;
        }
        if (!name.endsWith(SUFFIX)) {
          continue;
        }
        String id = name.substring(0, name.length() - SUFFIX.length());
        try {
          records.add(parse(id, Files.readString(path, StandardCharsets.UTF_8)));
        } catch (IOException | RuntimeException e) {
          unreadable.add(new Unreadable(id, e.getMessage()));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the session records in " + dir, e);
    }
    return new Contents(records, unreadable);
  }

  private static SessionRecord parse(String id, String text) {
    SessionRecord record = SessionRecord.fromJson(new JsonObject(text));
    if (!record.id().equals(id)) {
      throw new IllegalArgumentException("the record names session '" + record.id() + "'");
    }
    return record;
  }

  private Path file(String id) {
    return dir.resolve(id + SUFFIX);
  }

  /** Makes a rename or delete in the directory durable: the file's own force does not cover it. */
  private void forceDirectory() throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
