package dev.bubblesandbox.cli;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.cluster.ClusterCertificates;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cluster-certs}: makes the cluster's CA and node certificate, the files
 * {@code cluster_tls_dir} names. Only this command loads BouncyCastle (through
 * {@link ClusterCertificates}, first touched in {@link #call()}), so the others start as fast
 * as before.
 */
@Command(name = "cluster-certs", mixinStandardHelpOptions = true,
    description = {
      "Make a new cluster CA and one node certificate signed by it: ca.crt, node.crt and node.key "
          + "(PEM, EC P-256, the key PKCS#8 and mode 0600) in DIR, for the cluster_tls_dir setting.",
      "Nodes accept any peer whose certificate this CA signed, with no hostname check: every node "
          + "can share these files. The CA's private key is not written, so no other certificate "
          + "can be signed by this CA; to add or rotate, make a new set and give it to every node."
    })
public final class ClusterCertsCommand implements Callable<Integer> {

  @Option(names = "--out", required = true, paramLabel = "DIR",
      description = "Directory to write ca.crt, node.crt and node.key into (made if missing).")
  Path out;

  @Option(names = "--host", paramLabel = "NAME",
      description = "A DNS name (a leading *. allowed) or IP address the node certificate names; "
          + "repeatable (default: localhost, 127.0.0.1 and ::1).")
  List<String> hosts;

  @Option(names = "--days", paramLabel = "N", defaultValue = "3650",
      description = "Days the CA and the node certificate are valid (default: ${DEFAULT-VALUE}).")
  int days;

  @Option(names = "--force", description = "Replace ca.crt, node.crt and node.key when they exist.")
  boolean force;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public Integer call() throws IOException {
    if (days < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--days must be 1 or more, not " + days);
    }
    List<Path> existing = ClusterCertificates.existing(out);
    if (!force && !existing.isEmpty()) {
      throw new RefusedException(ErrorCode.INVALID_REQUEST,
          existing.stream().map(Path::toString).collect(Collectors.joining(", "))
              + (existing.size() == 1 ? " exists" : " exist") + ": not overwritten (--force replaces)");
    }
    List<String> names = hosts == null ? ClusterCertificates.DEFAULT_HOSTS : hosts;
    ClusterCertificates.write(out, names, Duration.ofDays(days), force);
    Console.OUT.println("wrote " + String.join(", ", ClusterCertificates.FILES) + " in " + out
        + " for " + String.join(", ", names) + ", valid " + days + " days");
    return 0;
  }
}
