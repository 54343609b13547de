package dev.bubblesandbox;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The product's logging (JsonLogging): JSON lines on stdout, written by a thread of their own. */
class LoggingSetupTest {

  @Test
  @DisplayName("the root logger writes through a bounded AsyncAppender to the JSON console appender")
  void asyncAppender() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    List<Appender<ILoggingEvent>> appenders = new ArrayList<>();
    for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
      appenders.add(it.next());
    }
    assertThat(appenders).hasSize(1).first().isInstanceOf(AsyncAppender.class);
    AsyncAppender async = (AsyncAppender) appenders.get(0);
    assertThat(async.isStarted()).isTrue();
    assertThat(async.getQueueSize()).isBetween(1024, 65536);
    // INFO and below are dropped, not waited for, when the queue is four-fifths full; WARN and
    // ERROR never are (logback drops only events at INFO or below).
    assertThat(async.getDiscardingThreshold()).isPositive();
    assertThat(async.isNeverBlock()).isFalse();
    assertThat(async.isIncludeCallerData()).isFalse();
    assertThat(async.getAppender("JSON")).isInstanceOf(ConsoleAppender.class);
  }

  @Test
  @DisplayName("each line is one JSON object with the product's field names, the request id filter and the quiet loggers set")
  void jsonLines() throws Exception {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    AsyncAppender async = (AsyncAppender) root.getAppender("ASYNC");
    @SuppressWarnings("unchecked")
    ConsoleAppender<ILoggingEvent> json = (ConsoleAppender<ILoggingEvent>) async.getAppender("JSON");
    LoggingEvent event = new LoggingEvent(Logger.class.getName(), context.getLogger("dev.bubblesandbox.Example"),
        Level.INFO, "server started", null, null);
    event.setThreadName("main");

    byte[] line = json.getEncoder().encode(event);

    Map<String, Object> fields = new com.fasterxml.jackson.databind.ObjectMapper().readValue(line,
        new com.fasterxml.jackson.core.type.TypeReference<Map<String, Object>>() {});
    assertThat(fields).containsOnlyKeys("timestamp", "message", "logger", "thread", "level")
        .containsEntry("message", "server started").containsEntry("logger", "dev.bubblesandbox.Example")
        .containsEntry("thread", "main").containsEntry("level", "INFO");
    assertThat(new String(line, java.nio.charset.StandardCharsets.UTF_8)).endsWith("}" + System.lineSeparator())
        .doesNotContain("\n{");
    assertThat(context.getTurboFilterList()).hasAtLeastOneElementOfType(
        dev.bubblesandbox.server.web.RequestIdLogging.class);
    assertThat(context.getLogger("io.vertx.config.impl.ConfigRetrieverImpl").getLevel()).isEqualTo(Level.OFF);
    assertThat(context.getLogger("io.micrometer.core.instrument.MeterRegistry").getLevel()).isEqualTo(Level.ERROR);
  }
}
