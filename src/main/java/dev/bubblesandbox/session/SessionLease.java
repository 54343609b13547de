package dev.bubblesandbox.session;

import java.nio.file.Path;

/**
 * A session held for an execution (alone) or for a host-side file operation (shared with other
 * file operations): the only way to reach its workspace. Whoever takes one closes it once done;
 * closing twice releases once.
 */
public interface SessionLease extends AutoCloseable {

  String sessionId();

  SessionSettings settings();

  /** The session's workspace on this host; use it only while the lease is open. */
  Path workspace();

  /** Releases the session; nothing when released already. */
  @Override
  void close();
}
