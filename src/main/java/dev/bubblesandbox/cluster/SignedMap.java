package dev.bubblesandbox.cluster;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.hazelcast.map.IMap;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Hazelcast map of the session directory whose entries carry a signature made with the cluster
 * secret over the map's name, the key and the value: an entry that a process without the secret
 * wrote, or moved from another key, reads as {@link Read.Invalid} and is logged, never followed.
 * Values are plain strings (JSON) stored as {@code base64url(signature) "|" value}; the map holds
 * {@code Object}s so that anything else planted in it reads as invalid instead of failing a cast.
 */
final class SignedMap {

  private static final Logger logger = LoggerFactory.getLogger(SignedMap.class);
  private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder DECODER = Base64.getUrlDecoder();
  /** Invalid entries already logged: one line each, however often they are read. */
  private static final int MAX_REMEMBERED = 1_000;

  /** An entry as read: none, a valid one (its value, and the stored form to compare-and-set with), or an invalid one. */
  sealed interface Read {
    record Absent() implements Read {}

    record Valid(String value, String stored) implements Read {}

    record Invalid(Object stored) implements Read {}
  }

  private final IMap<String, Object> map;
  private final ClusterSecret secret;
  private final Set<String> logged = ConcurrentHashMap.newKeySet();

  SignedMap(IMap<String, Object> map, ClusterSecret secret) {
    this.map = map;
    this.secret = secret;
  }

  /** The stored form of {@code value} under {@code key}. */
  String signed(String key, String value) {
    return ENCODER.encodeToString(secret.signDirectoryEntry(map.getName(), key, value)) + "|" + value;
  }

  /** Blocks. */
  Read get(String key) {
    return read(key, map.get(key));
  }

  CompletionStage<Read> getAsync(String key) {
    return map.getAsync(key).thenApply(stored -> read(key, stored));
  }

  /** The entry already there (nothing written), or {@link Read.Absent} when this one was written. Blocks. */
  Read putIfAbsent(String key, String value) {
    return read(key, map.putIfAbsent(key, signed(key, value)));
  }

  /** Replaces the entry stored as {@code stored} (as read) with {@code value}. Blocks. */
  boolean replace(String key, Object stored, String value) {
    return map.replace(key, stored, signed(key, value));
  }

  /** Removes the entry if it holds {@code value}. Blocks. */
  boolean remove(String key, String value) {
    return map.remove(key, signed(key, value));
  }

  void set(String key, String value) {
    map.set(key, signed(key, value));
  }

  void setAsync(String key, String value) {
    map.setAsync(key, signed(key, value));
  }

  /** Removes the entry whatever it holds; the value it held if it was valid. Blocks. */
  Optional<String> remove(String key) {
    return read(key, map.remove(key)) instanceof Read.Valid valid ? Optional.of(valid.value()) : Optional.empty();
  }

  /** The valid entries, by key. Blocks. */
  Map<String, String> validEntries() {
    Map<String, String> valid = new java.util.HashMap<>();
    for (Map.Entry<String, Object> entry : Set.copyOf(map.entrySet())) {
      if (read(entry.getKey(), entry.getValue()) instanceof Read.Valid ok) {
        valid.put(entry.getKey(), ok.value());
      }
    }
    return valid;
  }

  /** The stored entries of these keys, as they are (valid or not). Blocks. */
  Map<String, Object> storedEntries(Set<String> keys) {
    return map.getAll(keys);
  }

  private Read read(String key, Object stored) {
    if (stored == null) {
      return new Read.Absent();
    }
    if (stored instanceof String text) {
      int bar = text.indexOf('|');
      if (bar > 0) {
        String value = text.substring(bar + 1);
        try {
          if (ClusterSecret.same(DECODER.decode(text.substring(0, bar)),
              secret.signDirectoryEntry(map.getName(), key, value))) {
            return new Read.Valid(value, text);
          }
        } catch (IllegalArgumentException notBase64) {
          // invalid, below
        }
      }
    }
    String seen = map.getName() + "\n" + key + "\n" + stored;
    if (logged.size() < MAX_REMEMBERED && logged.add(seen)) {
      logger.warn("cluster directory: an entry not signed with this cluster's secret is ignored",
          kv("map", map.getName()), kv("key", key), kv("value_type", stored.getClass().getName()),
          kv("value_bytes", String.valueOf(stored).getBytes(StandardCharsets.UTF_8).length));
    }
    return new Read.Invalid(stored);
  }
}
