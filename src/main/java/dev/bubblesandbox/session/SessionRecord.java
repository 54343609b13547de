package dev.bubblesandbox.session;

import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What survives a crash or restart of one session, as {@link SessionRecords} writes it beside the
 * workspaces.
 *
 * @param kept the client ended it once with {@code clear_data=false}: its data outlives the
 *     session, also a graceful shutdown; it stays kept when the session is opened again
 * @param active the session is open (listed, runs code); false for a kept session that was ended
 */
record SessionRecord(String id, SessionSettings settings, Instant createdAt, boolean kept,
    boolean active) {

  /** The format's version, so that a later one can read (or refuse) this one knowingly. */
  private static final int FORMAT = 1;

  JsonObject toJson() {
    JsonObject volumes = new JsonObject();
    settings.volumes().forEach(volumes::put);
    return new JsonObject()
        .put("format", FORMAT)
        .put("session_id", id)
        .put("environment", settings.environment())
        .put("volumes", volumes)
        .put("kernel", settings.kernel())
        .put("created_at", createdAt.toString())
        .put("kept", kept)
        .put("active", active);
  }

  /**
   * Reads a record back.
   *
   * @throws IllegalArgumentException when a field is missing or of the wrong type
   */
  static SessionRecord fromJson(JsonObject json) {
    try {
      if (json.getInteger("format") != FORMAT) {
        throw new IllegalArgumentException("unknown format " + json.getValue("format"));
      }
      Map<String, Boolean> volumes = new LinkedHashMap<>();
      JsonObject volumeJson = json.getJsonObject("volumes");
      for (String name : volumeJson.fieldNames()) {
        volumes.put(name, volumeJson.getBoolean(name));
      }
      String id = json.getString("session_id");
      if (!SessionIds.isValidServerId(id)) {
        throw new IllegalArgumentException("not a session id");
      }
      SessionRecord record = new SessionRecord(id,
          // Absent in records written before kernel sessions: those had none.
          new SessionSettings(json.getString("environment"), volumes, json.getBoolean("kernel", false)),
          Instant.parse(json.getString("created_at")),
          json.getBoolean("kept"), json.getBoolean("active"));
      if (record.settings.environment() == null || volumes.containsValue(null)) {
        throw new IllegalArgumentException("a field is missing");
      }
      return record;
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("not a session record: " + e.getMessage(), e);
    }
  }
}
