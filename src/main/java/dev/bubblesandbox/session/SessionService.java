package dev.bubblesandbox.session;

import dev.bubblesandbox.RefusedException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The session lifecycle, in one place: creating a session (its workspace opened), holding it for
 * an execution or for file operations (leases), ending it (its data kept or cleared), ending the
 * idle ones, and the slots of one-shot executions. Every refusal about sessions is raised here:
 * {@code session_not_found}, {@code session_busy}, {@code session_conflict},
 * {@code capacity_exhausted}.
 *
 * <p>{@link LocalSessionService} keeps the sessions of one server in memory, with records on
 * disk; handlers see only this interface, so that a cluster-wide implementation can take its
 * place. Leases, {@link #get}, {@link #all} and {@link #takeOneShotSlot} never block and may be
 * called on an event loop; every other method blocks (workspace mounts, records forced to disk):
 * call it from a worker thread.
 */
public interface SessionService {

  /** The outcome of a create request: the session, and whether this request made it. */
  record Created(SessionInfo session, boolean isNew) {}

  /**
   * Opens a session with that id (finding the files of a kept one), or returns the existing one
   * with the same id and settings. Blocks.
   *
   * @throws RefusedException {@code session_conflict} for the same id with other settings,
   *     {@code capacity_exhausted} when every slot is taken, {@code tenant_limit_reached} when the
   *     id's tenant holds as many sessions as it may
   */
  Created create(String id, SessionSettings settings);

  /**
   * Bounds new sessions from now on, as a reloaded configuration says: {@code maxSessions} on
   * this node, and each tenant in {@code tenantMaxSessions} (by name) to its own number. Sessions
   * that exist stay, even past a lower bound.
   */
  void rebound(int maxSessions, Map<String, Integer> tenantMaxSessions);

  /**
   * Opens a session under a new id (unguessable, made by the caller under its tenant) that is
   * never recorded: it lives as long as the console socket that asked for it (see
   * {@link #endThrowaway}). Blocks.
   *
   * @throws RefusedException {@code capacity_exhausted} when every slot is taken,
   *     {@code tenant_limit_reached} when the tenant holds as many sessions as it may
   */
  SessionInfo createThrowaway(String id, SessionSettings settings);

  /** @throws RefusedException {@code session_not_found} */
  SessionInfo get(String id);

  List<SessionInfo> all();

  /**
   * Holds the session alone for an execution: no other execution and no file operation until
   * the lease is closed. A sandbox can swap files for links at any moment while it runs, so
   * host-side file access and executions never overlap.
   *
   * @throws RefusedException {@code session_not_found}, {@code session_busy} while anything holds it
   */
  SessionLease leaseExecution(String id);

  /**
   * Holds the session for a host-side file operation; file operations share it (each places
   * files atomically), executions wait for all of them.
   *
   * @throws RefusedException {@code session_not_found}, {@code session_busy} while an execution holds it
   */
  SessionLease leaseFiles(String id);

  /**
   * Refuses now what {@link #leaseFiles} would refuse now, taking nothing: for a request that
   * should hear the refusal before it sends its body.
   *
   * @throws RefusedException {@code session_not_found}, {@code session_busy}
   */
  void checkFilesAvailable(String id);

  /**
   * Ends a session a client asked to end, and frees its slot: with {@code keep}, its files stay
   * for a later session with the same id, across restarts too; otherwise they are deleted. Blocks.
   *
   * @throws RefusedException {@code session_not_found}, {@code session_busy} while anything holds it
   */
  void end(String id, boolean keep);

  /**
   * Ends a session made by {@link #createThrowaway} and deletes its files, whatever holds it:
   * the socket it lived for is gone. Nothing when it has ended already. Blocks.
   */
  void endThrowaway(String id);

  /**
   * Ends, with their files, the sessions idle for longer than {@code idleTimeout} at
   * {@code now}; a session that anything holds is not idle and stays. Blocks.
   *
   * @return the ids of the sessions ended
   */
  List<String> reapIdle(Instant now, Duration idleTimeout);

  /**
   * Takes a slot for a one-shot execution, which counts against {@code max_sessions} like a
   * session while it runs.
   *
   * @throws RefusedException {@code capacity_exhausted} when every slot is taken
   */
  OneShotSlot takeOneShotSlot();

  /** The bound on sessions and running one-shot executions together. */
  int capacity();

  /** Slots taken now by sessions and running one-shot executions. */
  int slotsUsed();

  /** At start-up, before any request: brings back the sessions a crash or restart left. Blocks. */
  void restore();

  /**
   * At a graceful shutdown, once nothing runs: removes the sessions nobody asked to keep and puts
   * the kept ones away for the next start. Blocks.
   */
  void shutdown();
}
