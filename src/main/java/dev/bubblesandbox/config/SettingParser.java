package dev.bubblesandbox.config;

/**
 * Turns a raw value (typed from YAML, a string from the environment) into a setting's value, or
 * rejects it saying what was expected; {@link Setting#parse} turns that into the one-line message.
 *
 * @param <T> the validated type
 */
@FunctionalInterface
public interface SettingParser<T> {

  T parse(Object raw);

  /** What a valid value looks like; {@code hidesValue} for secrets, whose value is never echoed. */
  final class Rejected extends RuntimeException {

    private final String expected;
    private final boolean hidesValue;

    Rejected(String expected, boolean hidesValue) {
      super(expected, null, false, false);
      this.expected = expected;
      this.hidesValue = hidesValue;
    }

    Rejected(String expected) {
      this(expected, false);
    }

    String expected() {
      return expected;
    }

    boolean hidesValue() {
      return hidesValue;
    }
  }
}
