package dev.bubblesandbox.sandbox;

import dev.bubblesandbox.HostFiles;
import dev.bubblesandbox.SandboxUnavailableException;
import dev.bubblesandbox.sandbox.limits.ResourceControl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Builds the command lines that start bwrap on this host: the uid switch (as root), bwrap, and
 * its arguments ({@link BwrapArgs}). The one place a launch's command is put together; running
 * it is {@link Launcher}'s job.
 */
public final class LaunchCommand {

  private final Path bwrap;
  private final List<String> commandPrefix;
  private final HostLayout layout;
  private final ResourceControl resources;
  private final Path seccompFilter;
  private final boolean seccomp;

  private LaunchCommand(Path bwrap, List<String> commandPrefix, HostLayout layout, ResourceControl resources,
      Path seccompFilter, boolean seccomp) {
    this.bwrap = bwrap;
    this.commandPrefix = List.copyOf(commandPrefix);
    this.layout = layout;
    this.resources = resources;
    this.seccompFilter = seccompFilter;
    this.seccomp = seccomp;
  }

  /**
   * For sandboxes run by {@code user}: finds bwrap and, where the sandboxes run as another uid,
   * setpriv. Its seccomp filter file is given by {@link #withSeccompFilter}.
   *
   * @throws SandboxUnavailableException when bwrap (or, as root, setpriv) is missing
   */
  static LaunchCommand forUser(SandboxUser user, ResourceControl resources, boolean seccomp) {
    Path bwrap = locate("bwrap", "bubblewrap");
    List<String> prefix =
        user.dropTo().isPresent() ? user.commandPrefix(locate("setpriv", "util-linux")) : List.of();
    return new LaunchCommand(bwrap, prefix, HostLayout.detect(), resources, null, seccomp);
  }

  /** This command with the seccomp filter it opens for bwrap, a file of the runner's. */
  LaunchCommand withSeccompFilter(Path filter) {
    return new LaunchCommand(bwrap, commandPrefix, layout, resources, filter, seccomp);
  }

  /**
   * The uid switch, bwrap and its arguments, without the launcher: no cgroups, no seccomp
   * filter. What a benchmark of raw bwrap runs.
   */
  List<String> raw(LaunchSpec spec) {
    List<String> command = new ArrayList<>(commandPrefix);
    command.add(bwrap.toString());
    command.addAll(BwrapArgs.build(spec, layout));
    return command;
  }

  /**
   * The shell commands that start {@code spec}, for the launcher to source: open the seccomp
   * filter on {@link BwrapArgs#SECCOMP_FD}, the program's source on {@link BwrapArgs#SOURCE_FD}
   * and bwrap's status on {@link BwrapArgs#STATUS_FD} (Java cannot pass a child any descriptor
   * but 0 to 2), then exec the uid switch and bwrap.
   */
  String script(LaunchSpec spec, LaunchFiles launch) {
    return script(spec, spec.program().source().map(source -> launch.source()), launch.status());
  }

  /**
   * The shell commands that start a warm sandbox's {@code spec}: as {@link #script(LaunchSpec,
   * LaunchFiles)}, with bwrap's status to {@code /dev/null}, as the ready byte tells that the
   * program was executed ({@link LaunchTrace#WARM}), and no source file (its program is
   * {@code -c}).
   */
  String warmScript(LaunchSpec spec) {
    return script(spec, Optional.empty(), Path.of("/dev/null"));
  }

  private String script(LaunchSpec spec, Optional<Path> sourceFile, Path status) {
    List<String> command = new ArrayList<>(commandPrefix);
    command.add(bwrap.toString());
    List<String> prefix = resources.sandboxedPrefix(spec.limits().resources());
    command.addAll(BwrapArgs.build(prefix.isEmpty() ? spec : spec.withArgvPrefix(prefix), layout, seccomp));
    StringBuilder script = new StringBuilder("exec");
    if (seccomp) {
      script.append(' ').append(BwrapArgs.SECCOMP_FD).append("< ")
          .append(shellQuote(seccompFilter.toString()));
    }
    sourceFile.ifPresent(file -> script.append(' ').append(BwrapArgs.SOURCE_FD).append("< ")
        .append(shellQuote(file.toString())));
    script.append(' ').append(BwrapArgs.STATUS_FD).append("> ")
        .append(shellQuote(status.toString())).append(" || exit 125\n");
    script.append("exec");
    for (String argument : command) {
      if (argument.indexOf('\0') >= 0) {
        throw new InvalidLaunchException("The command line may not contain NUL characters.");
      }
      script.append(' ').append(shellQuote(argument));
    }
    return script.append('\n').toString();
  }

  /**
   * A minimal sandbox started as launches are (same uid switch and namespaces) that runs
   * {@code /usr/bin/true}: what {@link BwrapProbe} runs.
   */
  List<String> probe() {
    List<String> command = new ArrayList<>(commandPrefix);
    command.add(bwrap.toString());
    command.addAll(List.of("--unshare-all", "--unshare-user", "--disable-userns",
        "--die-with-parent", "--ro-bind", "/usr", "/usr"));
    layout.links().forEach((link, target) -> command.addAll(List.of("--symlink", target, link)));
    command.addAll(List.of("--", "/usr/bin/true"));
    return command;
  }

  /** {@code argument} as one word of a POSIX shell command: single-quoted. */
  public static String shellQuote(String argument) {
    return "'" + argument.replace("'", "'\\''") + "'";
  }

  private static Path locate(String program, String debianPackage) {
    Path standard = Path.of("/usr/bin", program);
    if (Files.isExecutable(standard)) {
      return standard;
    }
    return HostFiles.findOnPath(program).orElseThrow(() -> new SandboxUnavailableException(
        program + " is not installed; install it with: apt-get install -y " + debianPackage));
  }
}
