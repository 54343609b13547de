package dev.bubblesandbox.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LogLevelTest {

  @Test
  @DisplayName("a level is named in any case, surrounding blanks ignored; anything else is none")
  void parse() {
    assertThat(LogLevel.parse("warn")).contains(LogLevel.WARN);
    assertThat(LogLevel.parse(" Debug ")).contains(LogLevel.DEBUG);
    assertThat(LogLevel.parse("OFF")).contains(LogLevel.OFF);
    assertThat(LogLevel.parse("LOUD")).isEqualTo(Optional.empty());
    assertThat(LogLevel.parse("")).isEmpty();
  }

  @Test
  @DisplayName("the levels are Logback's, listed for messages")
  void names() {
    assertThat(LogLevel.names()).isEqualTo("TRACE, DEBUG, INFO, WARN, ERROR, OFF");
    for (LogLevel level : LogLevel.values()) {
      assertThat(ch.qos.logback.classic.Level.toLevel(level.name(), null)).as(level.name()).isNotNull();
    }
  }
}
