package dev.bubblesandbox.sandbox.limits;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bubblesandbox.sandbox.output.ExecutionResult;
import dev.bubblesandbox.sandbox.LaunchSpec;
import dev.bubblesandbox.sandbox.Program;
import dev.bubblesandbox.sandbox.Sandboxes;
import dev.bubblesandbox.sandbox.TemporaryWorkDir;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** The seccomp filter: refused system call groups fail with EPERM, ordinary Python still works. */
class SeccompIT {

  private static final String CALL = "import ctypes, errno, socket\n"
      + "libc = ctypes.CDLL(None, use_errno=True)\n"
      + "def result(r):\n"
      + "    print('ok' if r >= 0 else errno.errorcode[ctypes.get_errno()])\n";

  @ParameterizedTest(name = "{0} fails with EPERM")
  @DisplayName("Each refused system call group fails with EPERM")
  @CsvSource(delimiter = '|', value = {
      "ptrace|result(libc.ptrace(0, 0, 0, 0))",
      "mount|result(libc.mount(b'none', b'/tmp', b'tmpfs', 0, None))",
      "unshare(CLONE_NEWUSER)|result(libc.unshare(0x10000000))",
      "keyctl|result(libc.syscall(250, 0, 0, 0, 0, 0))",
      "add_key|result(libc.syscall(248, b'user', b'k', b'v', 1, -2))",
      "bpf|result(libc.syscall(321, 0, 0, 0))",
      "perf_event_open|result(libc.syscall(298, 0, 0, -1, -1, 0))",
      "userfaultfd|result(libc.syscall(323, 0))",
      "setns|result(libc.syscall(308, 0, 0))",
      "clone(CLONE_NEWNET)|result(libc.syscall(56, 0x40000011, 0, 0, 0, 0))",
      "personality(PER_BSD)|result(libc.personality(6))",
  })
  void refusedCalls(String name, String call) throws InterruptedException {
    ExecutionResult result = Sandboxes.runPython(CALL + call);
    assertThat(result.stdout()).as(name + ": " + result.stderr()).isEqualTo("EPERM\n");
  }

  @ParameterizedTest(name = "socket family {0} fails with EPERM")
  @DisplayName("Sockets other than AF_UNIX, AF_INET and AF_INET6 are refused")
  @CsvSource({"16, AF_NETLINK", "17, AF_PACKET", "40, AF_VSOCK"})
  void refusedSocketFamilies(int family, String name) throws InterruptedException {
    ExecutionResult result = Sandboxes.runPython(CALL
        + "try:\n    socket.socket(" + family + ", socket.SOCK_RAW); print('ok')\n"
        + "except OSError as e:\n    print(errno.errorcode[e.errno])\n");
    assertThat(result.stdout()).as(name).isEqualTo("EPERM\n");
  }

  @Test
  @DisplayName("clone3 fails with ENOSYS, so threads still start through clone")
  void clone3IsNotImplemented() throws InterruptedException {
    ExecutionResult result = Sandboxes.runPython(CALL + "result(libc.syscall(435, 0, 0))");
    assertThat(result.stdout()).isEqualTo("ENOSYS\n");
  }

  @Test
  @DisplayName("Ordinary scripts still work: threads, subprocess, multiprocessing pool, tempfile, socketpair")
  void ordinaryScripts() throws InterruptedException {
    ExecutionResult result = Sandboxes.runPython(String.join("\n",
        "import threading, subprocess, multiprocessing, tempfile, socket, os",
        "out = []",
        "t = threading.Thread(target=lambda: out.append('thread')); t.start(); t.join()",
        "print(out[0])",
        "print(subprocess.run(['echo', 'subprocess'], capture_output=True, text=True).stdout.strip())",
        "with multiprocessing.Pool(2) as pool: print(sum(pool.map(abs, range(-5, 5))))",
        "with tempfile.NamedTemporaryFile() as f: f.write(b'x'); f.flush(); print(os.path.getsize(f.name))",
        "a, b = socket.socketpair(); a.sendall(b'pair'); print(b.recv(4).decode())",
        "s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM); s.close(); print('inet6')",
        ""));
    assertThat(result.stdout()).as(result.stderr()).isEqualTo("thread\nsubprocess\n25\n1\npair\ninet6\n");
  }

  @Test
  @DisplayName("pandas imports and sums a DataFrame under the filter")
  void pandasWorks() throws InterruptedException {
    dev.bubblesandbox.environment.ReadyEnvironment pandas = new dev.bubblesandbox.environment.EnvironmentCatalog(Sandboxes.ENVIRONMENTS)
        .require("pandas-only");
    try (TemporaryWorkDir workDir = Sandboxes.temporaryWorkDir()) {
      ExecutionResult result = Sandboxes.run(new LaunchSpec("pandas-seccomp", pandas, workDir.path(), List.of(),
          Program.python("import pandas as pd; print(pd.DataFrame({'a': [1, 2, 3]})['a'].sum())"),
          Sandboxes.LIMITS));
      assertThat(result.stdout()).as(result.stderr()).isEqualTo("6\n");
    }
  }

  @Test
  @DisplayName("The program checks the architecture first and ends by allowing")
  void programShape() {
    ByteBuffer program = ByteBuffer.wrap(SeccompFilter.program()).order(ByteOrder.LITTLE_ENDIAN);
    assertThat(program.capacity() % 8).isZero();
    assertThat(program.getShort(0)).isEqualTo((short) 0x20);
    assertThat(program.getInt(4)).isEqualTo(4);
    assertThat(program.getInt(12)).isEqualTo(0xc000003e);
    assertThat(program.getShort(program.capacity() - 8)).isEqualTo((short) 0x06);
    assertThat(program.getInt(program.capacity() - 4)).isEqualTo(0x7fff0000);
    assertThat(program.capacity() / 8).isLessThan(4096);
  }

}
