package dev.bubblesandbox.server.console;

/** A token bucket: {@code perSecond} on average, bursts of up to twice that. Not thread-safe. */
final class RateLimiter {

  private final double perSecond;
  private final double capacity;
  private double tokens;
  private long lastNanos = System.nanoTime();

  RateLimiter(int perSecond) {
    this.perSecond = perSecond;
    this.capacity = 2.0 * perSecond;
    this.tokens = capacity;
  }

  /** Takes a token; false when the bucket is empty. */
  boolean tryTake() {
    refill();
    if (tokens < 1) {
      return false;
    }
    tokens -= 1;
    return true;
  }

  /** How long until {@link #tryTake()} can succeed; 0 when it can now. */
  long nanosUntilToken() {
    refill();
    return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / perSecond * 1e9);
  }

  private void refill() {
    long now = System.nanoTime();
    tokens = Math.min(capacity, tokens + (now - lastNanos) / 1e9 * perSecond);
    lastNanos = now;
  }
}
