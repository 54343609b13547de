package dev.bubblesandbox.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The route label as Vert.x Web reports it and as /metrics shows it. */
class PrometheusSetupTest {

  @ParameterizedTest
  @DisplayName("The route label is the answering route's template, as written in the route table")
  @CsvSource(delimiter = '|', value = {
      "/v1/>/v1/>/v1/sessions/:id|/v1/sessions/:id",
      "/v1/>/v1/>/v1/sessions/:id/files/|/v1/sessions/:id/files/*",
      "/v1/sessions/:id/files/|/v1/sessions/:id/files/*",
      "/v1/>/v1/|/v1/*",
      "/metrics|/metrics",
      "''|''"})
  void routeTemplate(String reported, String shown) {
    assertThat(PrometheusSetup.routeTemplate(reported)).isEqualTo(shown);
  }
}
