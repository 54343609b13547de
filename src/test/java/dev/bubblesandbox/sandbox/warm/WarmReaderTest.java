package dev.bubblesandbox.sandbox.warm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bubblesandbox.sandbox.BwrapArgs;
import dev.bubblesandbox.sandbox.Program;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class WarmReaderTest {

  @Test
  @DisplayName("the warm bootstrap execs the code on line 3, as the cold reader does, so tracebacks through it match")
  void execOnTheColdReadersLine() {
    List<String> cold = Program.PYTHON_READER.lines().toList();
    List<String> warm = WarmReader.source(List.of("pandas")).lines().toList();

    assertThat(cold.get(2)).contains("exec(globals().pop('c'))");
    assertThat(warm.get(2)).isEqualTo(" exec(globals().pop('c'))");
    assertThat(warm.get(0)).isEqualTo(cold.get(0));
    assertThat(warm.get(3)).isEqualTo(cold.get(3));
    assertThat(warm).hasSize(cold.size());
  }

  @Test
  @DisplayName("the preload list reaches the bootstrap as quoted module names; the code comes from its own descriptor")
  void preloadAndDescriptor() {
    String source = WarmReader.source(List.of("pandas", "numpy.linalg"));

    assertThat(source).contains("g={'p':['pandas','numpy.linalg']}", "os.read(" + WarmReader.CODE_FD + ",");
    assertThat(WarmReader.source(List.of())).contains("g={'p':[]}");
    assertThat(WarmReader.CODE_FD).isNotIn(0, 1, 2, BwrapArgs.SECCOMP_FD, BwrapArgs.SOURCE_FD, BwrapArgs.STATUS_FD);
    assertThat(WarmReader.program(List.of()).argv()).containsExactly("python", "-c", WarmReader.source(List.of()));
    assertThat(WarmReader.program(List.of()).source()).isEmpty();
  }

  @Test
  @DisplayName("anything but a dotted module name is refused")
  void refusesOtherNames() {
    for (String bad : List.of("os; import shutil", "a'b", "", "1abc", "a..b", "pandas\n")) {
      assertThatThrownBy(() -> WarmReader.source(List.of(bad))).as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }
}
