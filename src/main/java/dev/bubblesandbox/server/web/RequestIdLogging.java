package dev.bubblesandbox.server.web;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.MDC;
import org.slf4j.Marker;

/**
 * Puts the id of the request being handled ({@link RequestIds}) into the MDC as
 * {@code request_id} just before each log call, so the JSON line carries it. A request's
 * callbacks hop between event-loop turns, where a thread-local set once would be wrong or gone;
 * a turbo filter runs on the logging thread before the event is made, also ahead of an async
 * appender, which copies the MDC with the event. Installed by JsonLogging.
 */
public final class RequestIdLogging extends TurboFilter {

  static final String MDC_KEY = "request_id";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (level == null || !level.isGreaterOrEqual(logger.getEffectiveLevel())) {
      return FilterReply.NEUTRAL;
    }
    String id = RequestIds.current();
    if (id == null) {
      MDC.remove(MDC_KEY);
    } else {
      MDC.put(MDC_KEY, id);
    }
    return FilterReply.NEUTRAL;
  }
}
