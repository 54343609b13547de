package dev.bubblesandbox.server.metrics;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.EnumSet;
import java.util.Set;

/**
 * The server's Prometheus registry and the Vert.x metrics options that feed it, set up so that
 * {@code /metrics} follows Prometheus' conventions ({@code promtool check metrics} reports
 * nothing), its HTTP latency can be queried per route with {@code histogram_quantile}, and no
 * client can make it grow without bound (labels take values from fixed sets only).
 *
 * <p>Vert.x binds Micrometer's JVM and system binders, three of whose meters break the
 * conventions: {@code jvm.compilation.time} counts milliseconds and {@code process.cpu.time}
 * nanoseconds (exported as {@code _ms_total} and {@code _ns_total}: Prometheus' base unit of
 * time is the second), and the gauge {@code system.cpu.count} ends in {@code _count}, which
 * Prometheus reserves for histograms and summaries. A filter drops the first two, which a filter
 * cannot rescale, and they are registered again in seconds; the third is renamed.
 */
public final class PrometheusSetup {

  /** Where Prometheus scrapes; k8s/ annotates the pods with it. */
  public static final String PATH = "/metrics";

  /** HTTP server latency buckets, in seconds: from a health check to a long execution. */
  private static final double[] HTTP_BUCKETS_SECONDS =
      {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300};

  private static final String HTTP_SERVER_RESPONSE_TIME = "vertx.http.server.response.time";

  /**
   * HTTP methods shown as themselves in the {@code method} label; any other token a client sends
   * (Vert.x accepts them all) is shown as {@code OTHER}, or each would make new series.
   */
  private static final Set<String> HTTP_METHODS =
      Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

  private PrometheusSetup() {}

  /** A registry with the filters below and the JVM meters in base units; before Vert.x binds. */
  public static PrometheusMeterRegistry newRegistry() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config()
        .meterFilter(MeterFilter.deny(PrometheusSetup::inAbbreviatedTimeUnit))
        // Cluster mode's forwarding HTTP client reports pool meters tagged pool_name/pool_type,
        // which clash with the worker pools' untagged ones of the same names.
        .meterFilter(MeterFilter.deny(id -> id.getName().startsWith("vertx.pool.") && id.getTag("pool_type") != null))
        .meterFilter(MeterFilter.replaceTagValues(Label.HTTP_METHOD.toString(),
            method -> HTTP_METHODS.contains(method) ? method : "OTHER"))
        .meterFilter(new MeterFilter() {
          @Override
          public Meter.Id map(Meter.Id id) {
            return id.getName().equals("system.cpu.count") ? id.withName("system.cpus") : id;
          }
        })
        .meterFilter(new MeterFilter() {
          @Override
          public Meter.Id map(Meter.Id id) {
            return id.getName().startsWith("vertx.http.server.") ? withRouteTemplate(id) : id;
          }

          @Override
          public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
            if (!id.getName().equals(HTTP_SERVER_RESPONSE_TIME)) {
              return config;
            }
            double[] nanos = new double[HTTP_BUCKETS_SECONDS.length];
            for (int i = 0; i < nanos.length; i++) {
              nanos[i] = HTTP_BUCKETS_SECONDS[i] * 1e9;
            }
            return DistributionStatisticConfig.builder().serviceLevelObjectives(nanos).build().merge(config);
          }
        });
    bindInSeconds(registry);
    return registry;
  }

  /**
   * Vert.x's metrics: JVM binders on, and HTTP server meters labelled with the matched route's
   * template ({@code /v1/sessions/:id/files/*}, never the raw path), method and status code.
   */
  public static MicrometerMetricsOptions vertxOptions() {
    return new MicrometerMetricsOptions()
        .setEnabled(true)
        .setJvmMetricsEnabled(true)
        .setLabels(EnumSet.of(Label.HTTP_ROUTE, Label.HTTP_METHOD, Label.HTTP_CODE));
  }

  private static boolean inAbbreviatedTimeUnit(Meter.Id id) {
    return (id.getName().equals("jvm.compilation.time") && "ms".equals(id.getBaseUnit()))
        || (id.getName().equals("process.cpu.time") && "ns".equals(id.getBaseUnit()));
  }

  /**
   * Vert.x Web reports every route a request passed through, joined by {@code >} (the guards on
   * {@code /v1/*} first, the route that answered last), and a wildcard route without its
   * {@code *}. The label keeps the last route, as written in the route table: one template per
   * endpoint, so the number of series stays bounded.
   */
  static String routeTemplate(String reported) {
    String route = reported.substring(reported.lastIndexOf('>') + 1);
    // Every route of the table that ends in '/' is a wildcard one: none ends in a literal '/'.
    return route.endsWith("/") ? route + "*" : route;
  }

  private static Meter.Id withRouteTemplate(Meter.Id id) {
    String reported = id.getTag(Label.HTTP_ROUTE.toString());
    if (reported == null) {
      return id;
    }
    String route = routeTemplate(reported);
    return route.equals(reported) ? id
        : id.replaceTags(Tags.of(id.getTags()).and(Label.HTTP_ROUTE.toString(), route));
  }

  /** The two meters the filter drops, in seconds, under the names Prometheus' own clients use. */
  private static void bindInSeconds(MeterRegistry registry) {
    CompilationMXBean compilation = ManagementFactory.getCompilationMXBean();
    if (compilation != null && compilation.isCompilationTimeMonitoringSupported()) {
      FunctionCounter.builder("jvm.compilation.time", compilation, bean -> bean.getTotalCompilationTime() / 1e3)
          .description("The approximate accumulated elapsed time spent in compilation")
          .tag("compiler", compilation.getName())
          .baseUnit("seconds")
          .register(registry);
    }
    OperatingSystemMXBean system = ManagementFactory.getOperatingSystemMXBean();
    if (system instanceof com.sun.management.OperatingSystemMXBean process
        && process.getProcessCpuTime() >= 0) {
      FunctionCounter.builder("process.cpu", process, bean -> bean.getProcessCpuTime() / 1e9)
          .description("CPU time used by the Java virtual machine process")
          .baseUnit("seconds")
          .register(registry);
    }
  }
}
