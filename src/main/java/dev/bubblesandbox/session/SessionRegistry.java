package dev.bubblesandbox.session;

import dev.bubblesandbox.RefusedException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.regex.Pattern;

/**
 * The live sessions, in memory, shared by every API verticle instance. Each session holds one
 * slot of {@link SessionSlots} for its whole life.
 */
public final class SessionRegistry {

  private static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9_-]{1,64}");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ConcurrentMap<String, Session> sessions = new ConcurrentHashMap<>();
  private final SessionSlots slots;

  public SessionRegistry(SessionSlots slots) {
    this.slots = slots;
  }

  public SessionSlots slots() {
    return slots;
  }

  /** An unguessable id: 128 random bits. */
  public static String newId() {
    byte[] bytes = new byte[16];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Checks a client-chosen id. */
  public static String validateId(String id) {
    if (id == null || !CLIENT_ID.matcher(id).matches()) {
      throw new RefusedException("invalid_request",
          "A session_id must be 1 to 64 letters, digits, '_' or '-'.");
    }
    return id;
  }

  /** The outcome of a create request. */
  public record Created(Session session, boolean isNew) {}

  /**
   * Reserves a slot and registers a new session, or returns the existing one with the same id
   * and settings. {@code openWorkspace} makes its directory (blocking: call from a worker).
   *
   * @throws RefusedException {@code session_conflict} for the same id with other settings,
   *     {@code capacity_exhausted} when every slot is taken
   */
  public synchronized Created create(String id, SessionSettings settings,
      java.util.function.Function<String, java.nio.file.Path> openWorkspace) {
    Session existing = sessions.get(id);
    if (existing != null) {
      if (!existing.settings().equals(settings)) {
        throw new RefusedException("session_conflict",
            "Session '" + id + "' exists with other settings.");
      }
      existing.touch();
      return new Created(existing, false);
    }
    slots.acquire();
    try {
      Session session = new Session(id, settings, openWorkspace.apply(id), Instant.now());
      sessions.put(id, session);
      return new Created(session, true);
    } catch (RuntimeException e) {
      slots.release();
      throw e;
    }
  }

  /**
   * The session with that id.
   *
   * @throws RefusedException {@code session_not_found}
   */
  public Session get(String id) {
    return find(id).orElseThrow(() ->
        new RefusedException("session_not_found", "No session '" + id + "'."));
  }

  public Optional<Session> find(String id) {
    return Optional.ofNullable(id == null ? null : sessions.get(id));
  }

  /** Removes the session and frees its slot; empty when it was already gone. */
  public Optional<Session> remove(String id) {
    Session removed = sessions.remove(id);
    if (removed != null) {
      slots.release();
    }
    return Optional.ofNullable(removed);
  }

  public Collection<Session> all() {
    return List.copyOf(sessions.values());
  }

  /** Sessions idle for longer than {@code idleTimeout} and not running anything. */
  public List<Session> idleSince(Instant now, Duration idleTimeout) {
    return sessions.values().stream()
        .filter(session -> !session.busy())
        .filter(session -> session.lastActivity().plus(idleTimeout).isBefore(now))
        .toList();
  }
}
