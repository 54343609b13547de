package dev.bubblesandbox.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class VolumeTest {

  @Test
  @DisplayName("NAME,PATH is a read-only volume mounted under /sandbox/volumes")
  void readOnlyByDefault() {
    Volume volume = Volume.parse("data,/srv/data");

    assertThat(volume.name()).isEqualTo("data");
    assertThat(volume.hostPath()).isEqualTo(Path.of("/srv/data"));
    assertThat(volume.writable()).isFalse();
    assertThat(volume.sandboxPath()).isEqualTo("/sandbox/volumes/data");
  }

  @Test
  @DisplayName("NAME,PATH,rw is writable and NAME,PATH,ro is not")
  void explicitMode() {
    assertThat(Volume.parse("out,/srv/out,rw").writable()).isTrue();
    assertThat(Volume.parse("ref,/srv/ref,ro").writable()).isFalse();
  }

  @Test
  @DisplayName("a relative host path is made absolute and normalized")
  void relativePath() {
    Volume volume = Volume.parse("data,some/../data");

    assertThat(volume.hostPath()).isAbsolute().isEqualTo(Path.of("data").toAbsolutePath());
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"", "data", "data,", ",/srv/data", "data,/srv/data,rw,extra",
      "data,/srv/data,RW", "data,/srv/data,write"})
  @DisplayName("malformed volume specifications are refused with a message showing the expected form")
  void badSyntax(String text) {
    assertThatThrownBy(() -> Volume.parse(text))
        .isInstanceOf(InvalidLaunchException.class)
        .hasMessageContaining("Invalid volume '" + text + "'");
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"..", "../x", "a/b", ".hidden", "has space", "a..b"})
  @DisplayName("volume names that could escape /sandbox/volumes are refused")
  void badNames(String name) {
    assertThatThrownBy(() -> Volume.parse(name + ",/srv/data"))
        .isInstanceOf(InvalidLaunchException.class)
        .hasMessageContaining("Invalid volume name");
  }

  @ParameterizedTest(name = "''{0}''")
  @ValueSource(strings = {"", "a..b", ".x"})
  @DisplayName("a bad volume name is told to the server's client as it is: it names no host path")
  void badNameForClients(String name) {
    assertThatThrownBy(() -> Volume.validateName(name))
        .isInstanceOfSatisfying(InvalidLaunchException.class, e -> assertThat(e.clientMessage())
            .isEqualTo(e.getMessage()).contains("'" + name + "'").contains("not starting with '.' and without '..'"));
  }
}
