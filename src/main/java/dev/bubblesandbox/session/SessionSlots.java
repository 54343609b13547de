package dev.bubblesandbox.session;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounded session counter: the one place that says yes or no to a new session. A one-shot
 * execution takes a slot for as long as it runs.
 */
public final class SessionSlots {

  /** Changed only by {@link #resize}: a reloaded {@code max_sessions}. */
  private volatile int capacity;
  private final AtomicInteger used = new AtomicInteger();

  public SessionSlots(int capacity) {
    this.capacity = capacity;
  }

  /**
   * Takes a slot.
   *
   * @throws RefusedException {@code capacity_exhausted} when every slot is taken
   */
  public void acquire() {
    int current;
    do {
      current = used.get();
      int bound = capacity;
      if (current >= bound) {
        throw new RefusedException(ErrorCode.CAPACITY_EXHAUSTED,
            "All " + bound + " session slots are in use; retry later.");
      }
    } while (!used.compareAndSet(current, current + 1));
  }

  /**
   * Takes a slot for a session restored at start-up, free or not: it exists with its data
   * whatever the bound says now, and new sessions wait until enough have ended.
   */
  void takeRestored() {
    used.incrementAndGet();
  }

  public void release() {
    used.updateAndGet(current -> Math.max(0, current - 1));
  }

  public int used() {
    return used.get();
  }

  /**
   * Bounds new sessions by {@code newCapacity} from now on. Slots already taken stay taken, even
   * past a lower bound: new sessions wait until enough have ended.
   */
  public void resize(int newCapacity) {
    capacity = newCapacity;
  }

  public int capacity() {
    return capacity;
  }
}
