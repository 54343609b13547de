package dev.bubblesandbox.bench;

import dev.bubblesandbox.config.Settings;
import dev.bubblesandbox.config.SettingsLoader;
import dev.bubblesandbox.environment.EnvironmentCatalog;
import dev.bubblesandbox.environment.ReadyEnvironment;
import dev.bubblesandbox.sandbox.LaunchSpec;
import dev.bubblesandbox.sandbox.ExecutionLimits;
import dev.bubblesandbox.sandbox.SandboxRunner;
import dev.bubblesandbox.sandbox.SandboxUser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Prints, without running it, the exact command line (setpriv prefix when root, bwrap and its
 * arguments) that {@code execute-python -s CODE} would run in {@code WORKDIR}, each argument
 * followed by a NUL byte, for {@code bench/cli-bench.sh} to time the raw launch. Settings come
 * from {@code conf/config.yaml} and {@code BUBBLE_SANDBOX_*} as for the CLI.
 *
 * <p>{@code WORKDIR} must exist; as the CLI does with {@code -w}, it is handed to the sandbox
 * uid when running as root.
 *
 * <p>Usage: {@code java -cp target/bench/bubble-sandbox-bench.jar
 * dev.bubblesandbox.bench.RawCommandLine WORKDIR CODE [ENVIRONMENT]} (the jar of the {@code bench}
 * Maven profile)
 */
public final class RawCommandLine {

  private RawCommandLine() {}

  public static void main(String[] args) throws IOException {
    if (args.length < 2 || args.length > 3) {
      System.err.println("usage: RawCommandLine WORKDIR CODE [ENVIRONMENT]");
      System.exit(2);
    }
    Path workDir = Path.of(args[0]).toAbsolutePath().normalize();
    String environmentName = args.length == 3 ? args[2] : "bare";
    Settings settings = SettingsLoader.load(Optional.empty(), System.getenv());
    SandboxUser user = SandboxUser.forCurrentProcess(settings.sandboxUid());
    if (!Files.isDirectory(workDir)) {
      fail("work directory " + workDir + " does not exist");
    }
    user.handOver(workDir);
    if (!user.canReach(workDir)) {
      fail("work directory " + workDir + " cannot be reached by the sandbox uid");
    }
    ReadyEnvironment environment =
        new EnvironmentCatalog(settings.environmentsDir()).require(environmentName);
    LaunchSpec spec = new LaunchSpec("bench", environment, workDir, List.of(),
        List.of("python", "-c", args[1]), ExecutionLimits.from(settings));
    List<String> command = SandboxRunner.create(user).command(spec);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (String arg : command) {
      out.write(arg.getBytes(StandardCharsets.UTF_8));
      out.write(0);
    }
    System.out.write(out.toByteArray());
    System.out.flush();
  }

  private static void fail(String message) {
    System.err.println("error: " + message);
    System.exit(1);
  }
}
