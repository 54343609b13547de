package dev.bubblesandbox.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The session records on disk: whole replacements, read back as written, damage kept apart. */
class SessionRecordsTest {

  @TempDir Path dir;

  private static SessionRecord record(String id, boolean kept, boolean active) {
    return new SessionRecord(id, new SessionSettings("pandas-only", Map.of("data", true, "ref", false)),
        Instant.parse("2026-01-02T03:04:05.678Z"), kept, active);
  }

  @Test
  @DisplayName("A record reads back as written, a rewrite replaces it whole, and no temporary file stays")
  void roundTrip() throws Exception {
    SessionRecords records = new SessionRecords(dir);
    records.write(record("s-1", false, true));
    records.write(record("s-1", true, false));
    records.write(record("other", false, true));
    SessionRecords.Contents contents = records.readAll();
    assertThat(contents.unreadable()).isEmpty();
    assertThat(contents.records()).containsExactlyInAnyOrder(record("s-1", true, false), record("other", false, true));
    assertThat(records.read("s-1")).contains(record("s-1", true, false));
    try (var files = Files.list(dir)) {
      assertThat(files.map(path -> path.getFileName().toString())).containsExactlyInAnyOrder("s-1.json", "other.json");
    }
    records.delete("s-1");
    records.delete("s-1");
    assertThat(records.exists("s-1")).isFalse();
    assertThat(records.readAll().records()).containsExactly(record("other", false, true));
  }

  @Test
  @DisplayName("A kernel session's record says so; a record written before kernel sessions reads as none")
  void kernelFlag() throws Exception {
    SessionRecords records = new SessionRecords(dir);
    SessionRecord kernel = new SessionRecord("k", new SessionSettings("bare", Map.of(), true),
        Instant.parse("2026-01-02T03:04:05Z"), false, true);
    records.write(kernel);
    assertThat(records.read("k")).contains(kernel);
    Files.writeString(dir.resolve("old.json"), "{\"format\": 1, \"session_id\": \"old\", \"environment\": \"bare\", "
        + "\"volumes\": {}, \"created_at\": \"2026-01-02T03:04:05Z\", \"kept\": true, \"active\": false}");
    assertThat(records.read("old")).map(record -> record.settings().kernel()).contains(false);
  }

  @Test
  @DisplayName("A damaged or foreign record is reported apart, and a write a crash cut short is dropped")
  void damage() throws Exception {
    SessionRecords records = new SessionRecords(dir);
    records.write(record("good", false, true));
    Files.writeString(dir.resolve("torn.json"), "{\"format\": 1, \"session_id\": \"torn\", \"envir");
    Files.writeString(dir.resolve("moved.json"), Files.readString(dir.resolve("good.json")));
    Files.writeString(dir.resolve("future.json"), "{\"format\": 2, \"session_id\": \"future\"}");
    Files.writeString(dir.resolve(".good.json.tmp"), "half");
    SessionRecords.Contents contents = records.readAll();
    assertThat(contents.records()).containsExactly(record("good", false, true));
    assertThat(contents.unreadable()).extracting(SessionRecords.Unreadable::id)
        .containsExactlyInAnyOrder("torn", "moved", "future");
    assertThat(dir.resolve(".good.json.tmp")).doesNotExist();
    assertThat(records.read("torn")).isEmpty();
    assertThat(records.exists("torn")).isTrue();
  }
}
