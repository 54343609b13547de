package dev.bubblesandbox.server;

import java.util.concurrent.atomic.AtomicBoolean;

/** Releases that several completion paths may reach: the first call runs, later ones do nothing. */
final class Once {

  private Once() {}

  static Runnable of(Runnable action) {
    AtomicBoolean done = new AtomicBoolean();
    return () -> {
      if (done.compareAndSet(false, true)) {
        action.run();
      }
    };
  }
}
