package dev.bubblesandbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What reaches exec: never a script's source, and never more than Linux takes. */
class ProgramTest {

  private static final String BIG = "x = '" + "a".repeat(500 * 1024) + "'\nprint(len(x))\n";

  @Test
  @DisplayName("a Python script or a shell line travels as a source, not as an argument")
  void sourcesAreNotArguments() {
    Program python = Program.python(BIG);
    Program shell = Program.shell(BIG);

    assertThat(python.source()).contains(BIG);
    assertThat(shell.source()).contains(BIG);
    for (Program program : List.of(python, shell)) {
      assertThat(String.join(" ", program.argv())).doesNotContain("aaaa").contains(Program.SOURCE_PATH);
      assertThat(String.join(" ", program.argv()).length()).isLessThan(1024);
    }
    assertThat(python.argv().subList(0, 2)).containsExactly("python", "-c");
    assertThat(shell.argv().subList(0, 2)).containsExactly("sh", "-c");
  }

  @Test
  @DisplayName("an argv is run through a shell's exec, with its arguments untouched")
  void commandThroughExec() {
    Program command = Program.command(List.of("ls", "-l", "$HOME", "; rm -rf /"));

    assertThat(command.source()).isEmpty();
    assertThat(command.argv()).containsExactly("/bin/sh", "-c", "exec \"$@\"", "sh",
        "ls", "-l", "$HOME", "; rm -rf /");
  }

  @Test
  @DisplayName("an argument past Linux's 128 KiB, or arguments past 1 MiB in all, are refused before exec")
  void oversizedArgumentsRefused() {
    String justFits = "a".repeat(Program.MAX_ARGUMENT_BYTES - 1);
    assertThat(Program.command(List.of("echo", justFits)).argv()).contains(justFits);

    assertThatThrownBy(() -> Program.command(List.of("echo", justFits + "a")))
        .isInstanceOf(InvalidLaunchException.class)
        .hasMessageContaining("larger than Linux allows for one argument");
    // Multi-byte characters count as the bytes exec sees.
    assertThatThrownBy(() -> Program.command(List.of("echo", "é".repeat(Program.MAX_ARGUMENT_BYTES / 2))))
        .isInstanceOf(InvalidLaunchException.class);
    List<String> many = Collections.nCopies(200_000, "a");
    assertThatThrownBy(() -> Program.command(many))
        .isInstanceOf(InvalidLaunchException.class)
        .hasMessageContaining("1024 KiB in all");
    assertThatThrownBy(() -> Program.command(List.of("echo", "a\0b")))
        .isInstanceOf(InvalidLaunchException.class);
    assertThatThrownBy(() -> Program.command(List.of())).isInstanceOf(InvalidLaunchException.class);
  }
}
