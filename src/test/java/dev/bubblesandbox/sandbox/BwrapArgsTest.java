package dev.bubblesandbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bubblesandbox.environment.ReadyEnvironment;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class BwrapArgsTest {

  private static final Path VENV = Path.of("/srv/envs/bare/.venv");
  private static final Path WORK = Path.of("/srv/work/run-1");
  private static final Path READ_ONLY_DATA = Path.of("/srv/data/reference");
  private static final Path WRITABLE_DATA = Path.of("/srv/data/results");
  private static final long TMPFS_SIZE = 12_345_678L;
  private static final HostLayout MERGED_USR =
      new HostLayout(Map.of("/bin", "usr/bin", "/lib", "usr/lib"), List.of());

  /** Options that create a mount (or a mount point) inside the sandbox. */
  private static final Set<String> MOUNT_OPTIONS =
      Set.of("--bind", "--ro-bind", "--dev-bind", "--tmpfs", "--proc", "--dev", "--symlink", "--dir");

  private static LaunchSpec spec(Optional<Path> basePrefix, List<Volume> volumes, List<String> argv) {
    return new LaunchSpec("exec-1", new ReadyEnvironment("bare", VENV, basePrefix), WORK, volumes,
        argv, new ExecutionLimits(Duration.ofSeconds(5), 1000, TMPFS_SIZE));
  }

  private static List<String> build() {
    return BwrapArgs.build(
        spec(Optional.empty(),
            List.of(new Volume("reference", READ_ONLY_DATA, false),
                new Volume("results", WRITABLE_DATA, true)),
            List.of("python", "-c", "print(1)")),
        MERGED_USR);
  }

  @Test
  @DisplayName("unshares every namespace, the user namespace included, and forbids nested ones")
  void unsharesNamespaces() {
    assertThat(build()).contains("--unshare-all", "--unshare-user", "--disable-userns");
  }

  @Test
  @DisplayName("runs as uid and gid 1000 with every capability dropped")
  void unprivilegedUserWithoutCapabilities() {
    List<String> args = build();
    assertThat(args).containsSequence("--uid", "1000");
    assertThat(args).containsSequence("--gid", "1000");
    assertThat(args).containsSequence("--cap-drop", "ALL");
  }

  @Test
  @DisplayName("starts a new session and dies with its parent")
  void newSessionAndDieWithParent() {
    assertThat(build()).contains("--new-session", "--die-with-parent");
  }

  @Test
  @DisplayName("binds /usr, /proc/sys and the venv read-only, the venv at /sandbox/venv")
  void readOnlyBinds() {
    List<String> args = build();
    assertThat(args).containsSequence("--ro-bind", "/usr", "/usr");
    assertThat(args).containsSequence("--ro-bind", "/proc/sys", "/proc/sys");
    assertThat(args).containsSequence("--ro-bind", VENV.toString(), "/sandbox/venv");
    assertThat(args).doesNotContainSequence("--bind", VENV.toString(), "/sandbox/venv");
  }

  @Test
  @DisplayName("recreates the host's merged-usr links instead of binding / ")
  void mergedUsrLinks() {
    List<String> args = build();
    assertThat(args).containsSequence("--symlink", "usr/bin", "/bin");
    assertThat(args).containsSequence("--symlink", "usr/lib", "/lib");
    assertThat(args).doesNotContainSequence("--bind", "/", "/");
    assertThat(args).doesNotContainSequence("--ro-bind", "/", "/");
  }

  @Test
  @DisplayName("binds the work directory read-write at /sandbox/work and starts there")
  void workDirectory() {
    List<String> args = build();
    assertThat(args).containsSequence("--bind", WORK.toString(), "/sandbox/work");
    assertThat(args).containsSequence("--chdir", "/sandbox/work");
  }

  @Test
  @DisplayName("mounts a read-only volume with --ro-bind and a writable one with --bind")
  void volumes() {
    List<String> args = build();
    assertThat(args).containsSequence("--ro-bind", READ_ONLY_DATA.toString(), "/sandbox/volumes/reference");
    assertThat(args).doesNotContainSequence("--bind", READ_ONLY_DATA.toString(), "/sandbox/volumes/reference");
    assertThat(args).containsSequence("--bind", WRITABLE_DATA.toString(), "/sandbox/volumes/results");
  }

  @Test
  @DisplayName("mounts size-limited tmpfs at /tmp and /dev/shm")
  void sizeLimitedTmpfs() {
    List<String> args = build();
    String size = Long.toString(TMPFS_SIZE);
    assertThat(args).containsSequence("--size", size, "--tmpfs", "/tmp");
    assertThat(args).containsSequence("--size", size, "--tmpfs", "/dev/shm");
  }

  @Test
  @DisplayName("remounts / and /dev read-only after every mount has been made")
  void rootReadOnlyAfterAllMounts() {
    List<String> args = build();
    int rootRemount = indexOfSequence(args, "--remount-ro", "/");
    int devRemount = indexOfSequence(args, "--remount-ro", "/dev");
    assertThat(rootRemount).isNotNegative();
    assertThat(devRemount).isNotNegative();
    int lastMount = -1;
    for (int i = 0; i < args.indexOf("--"); i++) {
      if (MOUNT_OPTIONS.contains(args.get(i))) {
        lastMount = i;
      }
    }
    assertThat(lastMount).isPositive().isLessThan(rootRemount).isLessThan(devRemount);
  }

  @Test
  @DisplayName("binds the venv's base interpreter prefix read-only only when it has one outside /usr")
  void basePrefixOnlyWhenPresent() {
    Path prefix = Path.of("/opt/python3.12");
    List<String> with = BwrapArgs.build(
        spec(Optional.of(prefix), List.of(), List.of("python")), MERGED_USR);
    List<String> without = BwrapArgs.build(
        spec(Optional.empty(), List.of(), List.of("python")), MERGED_USR);

    assertThat(with).containsSequence("--ro-bind", prefix.toString(), prefix.toString());
    assertThat(without).doesNotContain(prefix.toString());
    assertThat(with.size() - without.size()).isEqualTo(3);
  }

  @Test
  @DisplayName("clears the environment and sets exactly the variables of SPEC §1")
  void environmentVariables() {
    List<String> args = build();
    Map<String, String> set = new LinkedHashMap<>();
    for (int i = 0; i < args.indexOf("--"); i++) {
      if (args.get(i).equals("--setenv")) {
        set.put(args.get(i + 1), args.get(i + 2));
      }
    }
    assertThat(args.indexOf("--clearenv")).isNotNegative().isLessThan(args.indexOf("--setenv"));
    assertThat(set).containsExactlyInAnyOrderEntriesOf(Map.of(
        "PATH", "/sandbox/venv/bin:/usr/bin:/bin",
        "VIRTUAL_ENV", "/sandbox/venv",
        "HOME", "/sandbox/work",
        "LANG", "C.UTF-8",
        "PYTHONUNBUFFERED", "1",
        "PYTHONDONTWRITEBYTECODE", "1",
        "MPLBACKEND", "Agg"));
    assertThat(args).doesNotContain("--setenv-from-host", "--unsetenv");
  }

  @Test
  @DisplayName("puts the sandboxed argv after '--', untouched, even when it looks like options")
  void argvAfterSeparator() {
    List<String> argv = List.of("python", "-c", "print(1)", "--", "--bind", "/", "/");
    List<String> args = BwrapArgs.build(spec(Optional.empty(), List.of(), argv), MERGED_USR);

    assertThat(args.subList(args.indexOf("--") + 1, args.size())).isEqualTo(argv);
  }

  @Test
  @DisplayName("a program's source is copied in read-only from the launcher's descriptor, before the root goes read-only")
  void sourceCopiedIn() {
    LaunchSpec spec = new LaunchSpec("exec-1", new ReadyEnvironment("bare", VENV, Optional.empty()), WORK,
        List.of(), Program.python("print(1)"), new ExecutionLimits(Duration.ofSeconds(5), 1000, TMPFS_SIZE));
    List<String> args = BwrapArgs.build(spec, MERGED_USR, true);

    int copy = indexOfSequence(args, "--perms", "0444", "--ro-bind-data",
        Integer.toString(BwrapArgs.SOURCE_FD), Program.SOURCE_PATH);
    assertThat(copy).isPositive().isLessThan(indexOfSequence(args, "--remount-ro", "/"));
    assertThat(args).containsSequence("--json-status-fd", Integer.toString(BwrapArgs.STATUS_FD));
    assertThat(args.subList(args.indexOf("--") + 1, args.size())).isEqualTo(spec.argv());
    assertThat(args).doesNotContain("print(1)");
    // Without a launcher no descriptor is open: such a program cannot start that way.
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> BwrapArgs.build(spec, MERGED_USR))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(BwrapArgs.build(spec(Optional.empty(), List.of(), List.of("true")), MERGED_USR))
        .doesNotContain("--json-status-fd", "--ro-bind-data");
  }

  private static int indexOfSequence(List<String> list, String... sequence) {
    for (int i = 0; i + sequence.length <= list.size(); i++) {
      if (list.subList(i, i + sequence.length).equals(List.of(sequence))) {
        return i;
      }
    }
    return -1;
  }
}
