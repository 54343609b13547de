package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** Parses {@code cluster-certs} command lines without running them. */
class ClusterCertsCommandTest {

  private static ClusterCertsCommand parse(String... args) {
    ParseResult result = RootCommand.commandLine().parseArgs(args);
    assertThat(result.hasSubcommand()).isTrue();
    return (ClusterCertsCommand) result.subcommand().commandSpec().userObject();
  }

  @Test
  @DisplayName("cluster-certs --out alone: default hosts (left to the command), ten years, no --force")
  void defaults() {
    ClusterCertsCommand command = parse("cluster-certs", "--out", "certs");

    assertThat(command.out).isEqualTo(Path.of("certs"));
    assertThat(command.hosts).isNull();
    assertThat(command.days).isEqualTo(3650);
    assertThat(command.force).isFalse();
  }

  @Test
  @DisplayName("--host repeats, in order; --days and --force are taken")
  void everyOption() {
    ClusterCertsCommand command = parse("cluster-certs", "--out=certs", "--host", "node-1.example",
        "--host", "10.0.0.7", "--host=*.bubble-sandbox-cluster.svc.cluster.local", "--days", "30", "--force");

    assertThat(command.hosts)
        .containsExactly("node-1.example", "10.0.0.7", "*.bubble-sandbox-cluster.svc.cluster.local");
    assertThat(command.days).isEqualTo(30);
    assertThat(command.force).isTrue();
  }

  @Test
  @DisplayName("--out is required")
  void outRequired() {
    assertThatThrownBy(() -> parse("cluster-certs", "--host", "localhost"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("--out");
  }

  @Test
  @DisplayName("a non-numeric --days is a usage error")
  void badDays() {
    assertThatThrownBy(() -> parse("cluster-certs", "--out", "certs", "--days", "forever"))
        .isInstanceOf(CommandLine.ParameterException.class)
        .hasMessageContaining("forever");
  }
}
