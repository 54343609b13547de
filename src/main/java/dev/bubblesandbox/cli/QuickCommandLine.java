package dev.bubblesandbox.cli;

import java.io.PrintWriter;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * The start-up fast path of the commands that run a sandbox ({@code execute-python},
 * {@code exec-script}, {@code exec-command}, {@code execute}), of {@code serve} and of
 * {@code --version}: parses
 * their plain command lines into the same command objects picocli fills, without picocli. Building picocli's model (its
 * Java 5 class files, which no CDS archive can hold, annotation proxies, reflection) costs the
 * CLI more CPU than the sandbox it runs, and a server's start as much again: the AOT cache that
 * starts the rest of the server cannot hold them either.
 *
 * <p>It only accepts what it understands exactly: known option names, {@code --long=value},
 * values that do not start with {@code -}, each single-valued option at most once. Anything
 * else (help, other commands, clustered or attached short options, a missing or odd value, an
 * {@code @FILE} argument, a repeated option, {@code -s} with {@code -f}) yields nothing, and
 * picocli parses the line as before, with its own messages. {@code QuickCommandLineTest} checks
 * that both agree and that the option names here are picocli's.
 */
final class QuickCommandLine {

  /** Options that take a value, as the run commands declare them (SandboxOptions, ConfigOption). */
  static final Set<String> VALUE_OPTIONS = Set.of("-e", "--environment", "-w", "--workdir",
      "-v", "--volume", "-t", "--timeout", "-c", "--config");
  /** Flags of the run commands. */
  static final Set<String> FLAG_OPTIONS = Set.of("--json", "-a", "--agent-mode");
  /** The source options of execute-python. */
  static final Set<String> SOURCE_OPTIONS = Set.of("-s", "--script", "-f", "--script-file", "--file");
  /** The options of serve (ServeCommand, ConfigOption), each taking a value. */
  static final Set<String> SERVE_OPTIONS = Set.of("--port", "-c", "--config");

  private QuickCommandLine() {}

  /** The command {@code args} name, filled in, or empty when picocli must parse them. */
  static Optional<Callable<Integer>> parse(String[] args) {
    // picocli reads an argument @FILE as the contents of FILE when it exists
    if (args.length == 0 || List.of(args).stream().anyMatch(arg -> arg.startsWith("@"))) {
      return Optional.empty();
    }
    if (args.length == 1 && List.of("-v", "-V", "--version").contains(args[0])) {
      return Optional.of(() -> {
        Console.OUT.println(new RootCommand.Version().getVersion()[0]);
        return 0;
      });
    }
    try {
      return Optional.ofNullable(switch (args[0]) {
        case "execute-python", "exec-script" -> executePython(args);
        case "exec-command" -> execCommand(args);
        case "execute" -> execute(args);
        case "serve" -> serve(args);
        default -> null;
      });
    } catch (InvalidPathException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Runs a command the fast path parsed, failing as picocli's handlers would have. */
  static int run(Callable<Integer> command) {
    PrintWriter err = new PrintWriter(Console.ERR, true);
    try {
      try {
        return command.call();
      } catch (Exception e) {
        return RootCommand.failure(e, err);
      }
    } catch (Exception bug) {
      bug.printStackTrace(err);
      return 1;
    }
  }

  private static ExecutePythonCommand executePython(String[] args) {
    ExecutePythonCommand command = new ExecutePythonCommand();
    Parsed parsed = parseOptions(args, command.options, false);
    if (parsed == null || parsed.sources.size() > 1) {
      return null;
    }
    if (parsed.sources.size() == 1) {
      command.source = new ExecutePythonCommand.Source();
      String[] source = parsed.sources.get(0);
      if (source[0].equals("-s") || source[0].equals("--script")) {
        command.source.code = source[1];
      } else {
        command.source.file = Path.of(source[1]);
      }
    }
    return command;
  }

  private static ExecCommandCommand execCommand(String[] args) {
    ExecCommandCommand command = new ExecCommandCommand();
    Parsed parsed = parseOptions(args, command.options, true);
    if (parsed == null || parsed.positionals.isEmpty()) {
      return null;
    }
    command.words = parsed.positionals;
    return command;
  }

  private static ExecuteCommand execute(String[] args) {
    ExecuteCommand command = new ExecuteCommand();
    Parsed parsed = parseOptions(args, command.options, true);
    if (parsed == null || parsed.positionals.isEmpty()) {
      return null;
    }
    command.argv = parsed.positionals;
    return command;
  }

  private static ServeCommand serve(String[] args) {
    ServeCommand command = new ServeCommand();
    Set<String> seen = new HashSet<>();
    for (int i = 1; i < args.length; i++) {
      String name = args[i];
      String value = null;
      int equals = name.indexOf('=');
      if (name.startsWith("--") && equals > 0) {
        value = name.substring(equals + 1);
        name = name.substring(0, equals);
      }
      if (!SERVE_OPTIONS.contains(name) || !seen.add(canonical(name))) {
        return null;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          return null;
        }
        value = args[++i];
      }
      if (value.startsWith("-")) {
        return null;
      }
      if (name.equals("--port")) {
        command.port = digits(value);
      } else {
        command.config.configFile = Path.of(value);
      }
    }
    return command;
  }

  /** What is left once the shared options are set: source options and positional arguments. */
  private record Parsed(List<String[]> sources, List<String> positionals) {}

  /** Sets the shared options from {@code args[1..]}; null when picocli must parse them. */
  private static Parsed parseOptions(String[] args, SandboxOptions options, boolean positional) {
    Set<String> seen = new HashSet<>();
    List<String[]> sources = new ArrayList<>();
    List<String> positionals = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      String arg = args[i];
      if (arg.equals("--") && positional) {
        positionals.addAll(List.of(args).subList(i + 1, args.length));
        break;
      }
      if (!arg.startsWith("-")) {
        if (!positional) {
          return null;
        }
        positionals.add(arg);
        continue;
      }
      String name = arg;
      String value = null;
      int equals = arg.indexOf('=');
      if (arg.startsWith("--") && equals > 0) {
        name = arg.substring(0, equals);
        value = arg.substring(equals + 1);
      }
      if (FLAG_OPTIONS.contains(name)) {
        if (value != null || !seen.add(canonical(name))) {
          return null;
        }
        if (name.equals("--json")) {
          options.json = true;
        } else {
          options.agentMode = true;
        }
        continue;
      }
      boolean source = !positional && SOURCE_OPTIONS.contains(name);
      if (!source && !VALUE_OPTIONS.contains(name)) {
        return null;
      }
      if (value == null) {
        if (i + 1 >= args.length) {
          return null;
        }
        value = args[++i];
      }
      if (value.startsWith("-")) {
        return null;
      }
      if (source) {
        sources.add(new String[] {name, value});
      } else if (!set(options, canonical(name), value, seen)) {
        return null;
      }
    }
    return new Parsed(sources, positionals);
  }

  /** Sets one valued option; false when a single-valued one comes twice. */
  private static boolean set(SandboxOptions options, String name, String value, Set<String> seen) {
    if (!name.equals("--volume") && !seen.add(name)) {
      return false;
    }
    switch (name) {
      case "--environment" -> options.environment = value;
      case "--workdir" -> options.workdir = Path.of(value);
      case "--volume" -> options.volumes.add(value);
      case "--timeout" -> options.timeoutSeconds = digits(value);
      case "--config" -> options.config.configFile = Path.of(value);
      default -> throw new IllegalStateException("unhandled option " + name);
    }
    return true;
  }

  /** Plain decimal digits only; anything picocli might read otherwise goes to picocli. */
  private static int digits(String value) {
    if (value.isEmpty() || value.length() > 9 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new NumberFormatException(value);
    }
    return Integer.parseInt(value);
  }

  private static String canonical(String name) {
    return switch (name) {
      case "-e" -> "--environment";
      case "-w" -> "--workdir";
      case "-v" -> "--volume";
      case "-t" -> "--timeout";
      case "-c" -> "--config";
      case "-a" -> "--agent-mode";
      default -> name;
    };
  }
}
