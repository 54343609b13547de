package dev.bubblesandbox.sandbox;

import static dev.bubblesandbox.sandbox.Sandboxes.LIMITS;
import static dev.bubblesandbox.sandbox.Sandboxes.USER;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bubblesandbox.sandbox.output.ExecutionResult;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SPEC §1 protections, each checked from inside a real sandbox. */
class SandboxIsolationIT {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path temp;

  /** Runs a script that prints one JSON object, and returns it. */
  private static JsonNode probe(String script) throws Exception {
    ExecutionResult result = Sandboxes.runPython(script);
    assertThat(result.returnCode()).as("stderr: %s", result.stderr()).isZero();
    return JSON.readTree(result.stdout());
  }

  @Test
  @DisplayName("network: only the loopback interface; a public address and the host's listening port are unreachable")
  void noNetwork() throws Exception {
    try (ServerSocket hostServer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      JsonNode out = probe("""
          import errno, json, socket
          def attempt(host, port):
              s = socket.socket()
              s.settimeout(5)
              try:
                  s.connect((host, port))
                  return "connected"
              except OSError as e:
                  return errno.errorcode.get(e.errno, type(e).__name__)
              finally:
                  s.close()
          print(json.dumps({
              "public": attempt("1.1.1.1", 53),
              "host_loopback": attempt("127.0.0.1", %d),
              # netlink sockets are refused by the seccomp filter: read the kernel's table instead
              "interfaces": [line.split(":")[0].strip() for line in open("/proc/net/dev").readlines()[2:]],
          }))
          """.formatted(hostServer.getLocalPort()));

      assertThat(out.get("interfaces")).extracting(JsonNode::asText).containsExactly("lo");
      assertThat(out.get("public").asText()).isEqualTo("ENETUNREACH");
      assertThat(out.get("host_loopback").asText()).isEqualTo("ECONNREFUSED");
    }
  }

  @Test
  @DisplayName("file system: only /usr, its links, /sandbox, /proc, /dev and the tmpfs are visible, nothing of /root, /home, /etc")
  void nothingOfTheHost() throws Exception {
    JsonNode out = probe("""
        import json, os
        paths = ["/home", "/root", "/root/.bashrc", "/root/.m2", "/etc/shadow", "/etc/passwd",
                 "/run", "/var", "/sys", "/opt", "/work"]
        print(json.dumps({
            "root": sorted(os.listdir("/")),
            "sandbox": sorted(os.listdir("/sandbox")),
            "visible": [p for p in paths if os.path.lexists(p)],
        }))
        """);

    assertThat(out.get("root")).extracting(JsonNode::asText).isSubsetOf(
        "sandbox", "usr", "bin", "sbin", "lib", "lib32", "lib64", "libx32", "proc", "dev", "tmp");
    // .script: the script's own source, copied in (Program.SOURCE_PATH).
    assertThat(out.get("sandbox")).extracting(JsonNode::asText)
        .containsExactlyInAnyOrder("venv", "work", "workspace", ".script");
    assertThat(out.get("visible")).isEmpty();
  }

  @Test
  @DisplayName("environment: exactly the SPEC §1 variables (and bwrap's PWD); bwrap's init has an empty environment")
  void environmentVariables() throws Exception {
    JsonNode out = probe("""
        import json, os
        print(json.dumps({"environ": dict(os.environ),
                          "init_environ": open("/proc/1/environ").read()}))
        """);

    Map<String, String> environ = JSON.convertValue(out.get("environ"),
        new com.fasterxml.jackson.core.type.TypeReference<Map<String, String>>() {});
    assertThat(environ).containsExactlyInAnyOrderEntriesOf(Map.of(
        "PATH", "/sandbox/venv/bin:/usr/bin:/bin",
        "VIRTUAL_ENV", "/sandbox/venv",
        "HOME", "/sandbox/work",
        "LANG", "C.UTF-8",
        "PYTHONUNBUFFERED", "1",
        "PYTHONDONTWRITEBYTECODE", "1",
        "MPLBACKEND", "Agg",
        "PWD", "/sandbox/work"));
    assertThat(out.get("init_environ").asText()).isEmpty();
  }

  @Test
  @DisplayName("user: not uid 0 and no capabilities, effective, permitted or bounding")
  void unprivileged() throws Exception {
    JsonNode out = probe("""
        import json, os
        status = dict(line.split(":", 1) for line in open("/proc/self/status").read().splitlines())
        print(json.dumps({"uid": os.getuid(), "euid": os.geteuid(), "gid": os.getgid(),
                          **{k: status[k].strip() for k in ("CapEff", "CapPrm", "CapBnd", "CapAmb")}}))
        """);

    assertThat(out.get("uid").asInt()).isNotZero();
    assertThat(out.get("euid").asInt()).isNotZero();
    assertThat(out.get("gid").asInt()).isNotZero();
    assertThat(out.get("CapEff").asText()).isEqualTo("0000000000000000");
    assertThat(out.get("CapPrm").asText()).isEqualTo("0000000000000000");
    assertThat(out.get("CapBnd").asText()).isEqualTo("0000000000000000");
    assertThat(out.get("CapAmb").asText()).isEqualTo("0000000000000000");
  }

  @Test
  @DisplayName("user: /proc/sys is read-only, writing kernel/hostname fails")
  void procSysReadOnly() throws Exception {
    JsonNode out = probe("""
        import errno, json
        try:
            with open("/proc/sys/kernel/hostname", "w") as f:
                f.write("escaped")
            outcome = "written"
        except OSError as e:
            outcome = errno.errorcode.get(e.errno, str(e.errno))
        print(json.dumps({"outcome": outcome}))
        """);

    assertThat(out.get("outcome").asText()).isEqualTo("EROFS");
  }

  @Test
  @DisplayName("user: a setuid file made in the work dir is not setuid-root on the host")
  void noSetuidRootFiles() throws Exception {
    try (TemporaryWorkDir work = Sandboxes.temporaryWorkDir()) {
      ExecutionResult result = Sandboxes.run(Sandboxes.python(work.path(), List.of(), LIMITS, """
          import os, shutil
          shutil.copy("/usr/bin/true", "escalate")
          os.chmod("escalate", 0o4755)
          print(oct(os.stat("escalate").st_mode))
          """));
      assertThat(result.returnCode()).as(result.stderr()).isZero();

      Path planted = work.path().resolve("escalate");
      int owner = (Integer) Files.getAttribute(planted, "unix:uid", LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) Files.getAttribute(planted, "unix:mode", LinkOption.NOFOLLOW_LINKS);
      boolean setuidRoot = owner == 0 && (mode & 04000) != 0;
      assertThat(setuidRoot).as("owner %d, mode %o", owner, mode).isFalse();
      if (USER.dropTo().isPresent()) {
        assertThat(owner).isEqualTo(USER.dropTo().getAsInt());
      }
    }
  }

  @Test
  @DisplayName("tmpfs: writing 1 GiB to /dev/shm, /tmp, / or /dev stops early with an error")
  void boundedWritableSpace() throws Exception {
    JsonNode out = probe("""
        import errno, json
        chunk = b"x" * (1 << 20)
        report = {}
        for path in ["/dev/shm/fill", "/tmp/fill", "/fill", "/dev/fill", "/sandbox/fill"]:
            written = 0
            try:
                with open(path, "wb") as f:
                    for _ in range(1024):
                        f.write(chunk)
                        written += 1
                outcome = "complete"
            except OSError as e:
                outcome = errno.errorcode.get(e.errno, str(e.errno))
            report[path] = {"mib": written, "outcome": outcome}
        print(json.dumps(report))
        """);

    long limitMib = Sandboxes.TMPFS_SIZE >> 20;
    out.fields().forEachRemaining(entry -> {
      assertThat(entry.getValue().get("outcome").asText()).as(entry.getKey()).isIn("ENOSPC", "EROFS");
      assertThat(entry.getValue().get("mib").asLong()).as(entry.getKey()).isLessThanOrEqualTo(limitMib);
    });
    assertThat(out.get("/dev/shm/fill").get("outcome").asText()).isEqualTo("ENOSPC");
    assertThat(out.get("/tmp/fill").get("outcome").asText()).isEqualTo("ENOSPC");
  }

  @Test
  @DisplayName("mounts: a read-only volume cannot be remounted read-write, nor the venv, nor via a nested user namespace")
  void readOnlyStaysReadOnly() throws Exception {
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path data = Files.createDirectory(temp.resolve("data"));
    Path file = Files.writeString(data.resolve("data.txt"), "original");
    // Owned by the sandbox uid, so that only the read-only mount stands between it and a write.
    USER.handOver(data);
    Volume volume = new Volume("data", data, false);

    ExecutionResult result;
    try (TemporaryWorkDir work = Sandboxes.temporaryWorkDir()) {
      result = Sandboxes.run(Sandboxes.python(work.path(), List.of(volume), LIMITS, """
          import ctypes, errno, json, os
          libc = ctypes.CDLL(None, use_errno=True)
          MS_REMOUNT, MS_BIND, CLONE_NEWUSER, CLONE_NEWNS = 32, 4096, 0x10000000, 0x00020000
          def call(fn, *args):
              if fn(*args) == 0:
                  return "succeeded"
              return errno.errorcode.get(ctypes.get_errno(), str(ctypes.get_errno()))
          def write(path):
              try:
                  with open(path, "w") as f:
                      f.write("tampered")
                  return "written"
              except OSError as e:
                  return errno.errorcode.get(e.errno, str(e.errno))
          report = {
              "remount_volume": call(libc.mount, None, b"/sandbox/volumes/data", None, MS_REMOUNT | MS_BIND, None),
              "remount_venv": call(libc.mount, None, b"/sandbox/venv", None, MS_REMOUNT | MS_BIND, None),
              "write_volume": write("/sandbox/volumes/data/data.txt"),
              "create_in_volume": write("/sandbox/volumes/data/new.txt"),
              "nested_userns": call(libc.unshare, CLONE_NEWUSER | CLONE_NEWNS),
          }
          print(json.dumps(report))
          """));
    }
    assertThat(result.returnCode()).as(result.stderr()).isZero();
    JsonNode out = JSON.readTree(result.stdout());

    assertThat(out.get("remount_volume").asText()).isNotEqualTo("succeeded");
    assertThat(out.get("remount_venv").asText()).isNotEqualTo("succeeded");
    assertThat(out.get("nested_userns").asText()).isNotEqualTo("succeeded");
    assertThat(out.get("write_volume").asText()).isEqualTo("EROFS");
    assertThat(out.get("create_in_volume").asText()).isEqualTo("EROFS");
    assertThat(file).hasContent("original");
    try (var files = Files.list(data)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).containsExactly("data.txt");
    }
  }

  @Test
  @DisplayName("mounts: a writable volume is writable and its files appear on the host")
  void writableVolume() throws Exception {
    Files.setPosixFilePermissions(temp, PosixFilePermissions.fromString("rwxr-xr-x"));
    Path results = Files.createDirectory(temp.resolve("results"));
    USER.handOver(results);

    try (TemporaryWorkDir work = Sandboxes.temporaryWorkDir()) {
      ExecutionResult result = Sandboxes.run(Sandboxes.python(work.path(),
          List.of(new Volume("results", results, true)), LIMITS, """
          with open("/sandbox/volumes/results/out.csv", "w") as f:
              f.write("a,b\\n1,2\\n")
          with open("/sandbox/workspace/note.txt", "w") as f:
              f.write("via the alias")
          """));

      assertThat(result.returnCode()).as(result.stderr()).isZero();
      assertThat(results.resolve("out.csv")).hasContent("a,b\n1,2\n");
      assertThat(work.path().resolve("note.txt")).hasContent("via the alias");
    }
  }

  @Test
  @DisplayName("processes: host processes are invisible from inside")
  void ownPidNamespace() throws Exception {
    JsonNode out = probe("""
        import json, os
        print(json.dumps({"pids": sorted(int(p) for p in os.listdir("/proc") if p.isdigit()),
                          "me": os.getpid()}))
        """);

    List<Integer> pids = new ArrayList<>();
    out.get("pids").forEach(pid -> pids.add(pid.asInt()));
    assertThat(out.get("me").asInt()).isLessThan(10);
    assertThat(pids).allMatch(pid -> pid < 10).hasSizeLessThan(5);
    assertThat(Set.copyOf(pids)).contains(1, out.get("me").asInt());
  }
}
