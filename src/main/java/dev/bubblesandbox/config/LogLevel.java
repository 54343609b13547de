package dev.bubblesandbox.config;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/** The log levels the server accepts (those of Logback), for {@code log_level} and {@code bench --log-level}. */
public enum LogLevel {
  TRACE, DEBUG, INFO, WARN, ERROR, OFF;

  /** "TRACE, DEBUG, INFO, WARN, ERROR, OFF", for messages. */
  public static String names() {
    return Arrays.stream(values()).map(Enum::name).collect(Collectors.joining(", "));
  }

  /** The level named by {@code text} in any case, surrounding blanks ignored. */
  public static Optional<LogLevel> parse(String text) {
    String name = text.trim().toUpperCase(Locale.ROOT);
    return Arrays.stream(values()).filter(level -> level.name().equals(name)).findFirst();
  }
}
