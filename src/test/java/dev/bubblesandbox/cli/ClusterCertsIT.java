package dev.bubblesandbox.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code cluster-certs} from the built (shaded) jar, as a user runs it: BouncyCastle's signed jars
 * shaded in must still load, and openssl reads what it wrote as a CA and a node certificate for
 * mutual TLS. Other commands do not load BouncyCastle.
 */
class ClusterCertsIT {

  private static final Path BUILT_JAR = LauncherShell.PROJECT.resolve("target/bubble-sandbox.jar");

  @TempDir Path dir;

  /** {@code command}, its stdout and stderr together, failing the test on a non-zero exit. */
  private static String run(String... command) throws IOException, InterruptedException {
    CliProcess.Outcome outcome = runAllowingFailure(command);
    assertThat(outcome.exitCode()).as(List.of(command) + ": " + outcome.stdout() + outcome.stderr()).isZero();
    return outcome.stdout() + outcome.stderr();
  }

  private static CliProcess.Outcome runAllowingFailure(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).directory(LauncherShell.PROJECT.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
    // Outputs are small: read after the exit.
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(List.of(command) + " did not exit within 60 s");
    }
    return new CliProcess.Outcome(process.exitValue(),
        new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private static List<String> jar(String... args) {
    assertThat(BUILT_JAR).as("mvn package builds the jar before the integration tests").exists();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", BUILT_JAR.toString()));
    command.addAll(List.of(args));
    return command;
  }

  @Test
  @DisplayName("java -jar bubble-sandbox.jar cluster-certs --host node-1.example: openssl reads a CA and its node certificate")
  void certificatesFromTheJar() throws Exception {
    Path out = dir.resolve("certs");
    run(jar("cluster-certs", "--out", out.toString(), "--host", "node-1.example").toArray(String[]::new));

    String node = run("openssl", "x509", "-in", out.resolve("node.crt").toString(), "-noout", "-text");
    assertThat(node).contains("DNS:node-1.example", "TLS Web Server Authentication",
        "TLS Web Client Authentication", "CA:FALSE", "NIST CURVE: P-256", "ecdsa-with-SHA256");
    String ca = run("openssl", "x509", "-in", out.resolve("ca.crt").toString(), "-noout", "-text");
    assertThat(ca).contains("CA:TRUE", "Certificate Sign");
    assertThat(run("openssl", "verify", "-CAfile", out.resolve("ca.crt").toString(), "-purpose", "sslclient",
        out.resolve("node.crt").toString())).contains(": OK");
    assertThat(run("openssl", "verify", "-CAfile", out.resolve("ca.crt").toString(), "-purpose", "sslserver",
        out.resolve("node.crt").toString())).contains(": OK");
    // The key is the certificate's: the same public key from both.
    assertThat(run("openssl", "pkey", "-in", out.resolve("node.key").toString(), "-pubout"))
        .isEqualTo(run("openssl", "x509", "-in", out.resolve("node.crt").toString(), "-noout", "-pubkey"));
    assertThat(Files.readString(out.resolve("node.key"))).startsWith("-----BEGIN PRIVATE KEY-----");
    assertThat(Files.getPosixFilePermissions(out.resolve("node.key")))
        .isEqualTo(PosixFilePermissions.fromString("rw-------"));
  }

  @Test
  @DisplayName("a second run into the same directory is refused with 125 and changes nothing; --force replaces")
  void refusesToOverwrite() throws Exception {
    Path out = dir.resolve("certs");
    run(jar("cluster-certs", "--out", out.toString()).toArray(String[]::new));
    String node = Files.readString(out.resolve("node.crt"));

    CliProcess.Outcome again = runAllowingFailure(jar("cluster-certs", "--out", out.toString()).toArray(String[]::new));
    assertThat(again.exitCode()).isEqualTo(125);
    assertThat(again.stderr()).startsWith("error: ").contains("node.crt", "--force");
    assertThat(Files.readString(out.resolve("node.crt"))).isEqualTo(node);

    run(jar("cluster-certs", "--out", out.toString(), "--force").toArray(String[]::new));
    assertThat(Files.readString(out.resolve("node.crt"))).isNotEqualTo(node);
  }

  @Test
  @DisplayName("other commands do not load BouncyCastle")
  void otherCommandsStayLean() throws Exception {
    Path classLog = dir.resolve("classes.log");
    List<String> command = jar("cluster-certs", "--help");
    command.add(1, "-Xlog:class+load=info:file=" + classLog);
    run(command.toArray(String[]::new));

    assertThat(Files.readString(classLog)).contains("dev.bubblesandbox.cli.ClusterCertsCommand")
        .doesNotContain("org.bouncycastle", "dev.bubblesandbox.cluster.ClusterCertificates");
  }
}
