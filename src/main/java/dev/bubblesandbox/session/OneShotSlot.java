package dev.bubblesandbox.session;

/**
 * A session slot held by a one-shot execution for as long as it runs: one-shot executions and
 * sessions share the bound {@code max_sessions}. Closing twice releases once.
 */
public interface OneShotSlot extends AutoCloseable {

  /** Frees the slot; nothing when freed already. */
  @Override
  void close();
}
