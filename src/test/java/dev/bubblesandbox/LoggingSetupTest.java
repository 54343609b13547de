package dev.bubblesandbox;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The product's logback.xml: JSON lines on stdout, written by a thread of their own. */
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
}
