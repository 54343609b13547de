package dev.bubblesandbox.server;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import dev.bubblesandbox.server.web.RequestIdLogging;
import net.logstash.logback.encoder.LogstashEncoder;
import net.logstash.logback.fieldnames.LogstashFieldNames;

/**
 * The product's logging, set up in code: one JSON object per line on stdout (SPEC §7), written
 * by a thread of its own. Logback finds it through {@code META-INF/services} before it looks for
 * a logback.xml. In code because reading an XML configuration (a SAX parse, then logback's model
 * processing, all cold code) was most of the main thread's work before a server could start.
 * An operator's own file, named with {@code -Dlogback.configurationFile}, still wins.
 *
 * <ul>
 *   <li>No logback shutdown hook: it would race the server's own (JVM hooks run at once) and
 *       drop the lines of the shutdown. serve flushes the queue itself once the server has
 *       stopped.
 *   <li>Encoding and writing happen on the appender's own thread, not on the event loop that
 *       logged (two lines per execution at INFO). The queue is bounded; once it is four-fifths
 *       full, INFO and below are dropped rather than waited for, so an event loop never waits on
 *       a slow stdout for them. WARN and ERROR are never dropped: they wait for room only when
 *       the whole queue is full (never-block would drop those too). The logger name and thread
 *       are captured at once; caller data (file and line) is not used.
 *   <li>The level is INFO until the server sets it from {@code log_level} at start-up.
 * </ul>
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class JsonLogging extends ContextAwareBase implements Configurator {

  /** The queue of the asynchronous appender. */
  static final int QUEUE_SIZE = 8192;

  @Override
  public ExecutionStatus configure(LoggerContext context) {
    if (System.getProperty("logback.configurationFile") != null) {
      return ExecutionStatus.INVOKE_NEXT_IF_ANY;
    }
    RequestIdLogging requestIds = new RequestIdLogging();
    requestIds.setContext(context);
    requestIds.start();
    context.addTurboFilter(requestIds);

    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext(context);
    LogstashFieldNames names = encoder.getFieldNames();
    names.setTimestamp("timestamp");
    names.setLogger("logger");
    names.setThread("thread");
    names.setVersion("[ignore]");
    names.setLevelValue("[ignore]");
    encoder.start();
    ConsoleAppender<ILoggingEvent> json = new ConsoleAppender<>();
    json.setContext(context);
    json.setName("JSON");
    json.setEncoder(encoder);
    json.start();

    AsyncAppender async = new AsyncAppender();
    async.setContext(context);
    async.setName("ASYNC");
    async.setQueueSize(QUEUE_SIZE);
    async.setDiscardingThreshold(QUEUE_SIZE / 5);
    async.setNeverBlock(false);
    async.setIncludeCallerData(false);
    async.setMaxFlushTime(2000);
    async.addAppender(json);
    async.start();

    // A configuration file refused at a scan is logged once, with its reason, by SettingsReload;
    // vertx-config would log it again with a stack trace at every scan.
    context.getLogger("io.vertx.config.impl.ConfigRetrieverImpl").setLevel(Level.OFF);
    // Vert.x registers its per-server gauges once per API verticle instance: not worth a warning.
    context.getLogger("io.micrometer.core.instrument.MeterRegistry").setLevel(Level.ERROR);
    Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
    root.setLevel(Level.INFO);
    root.addAppender(async);
    return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
  }
}
