package dev.bubblesandbox.cli.repl;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The repl asks for another line where Python's own REPL would, and only there. */
class PythonInputTest {

  @ParameterizedTest
  @ValueSource(strings = {
      "x = 42",
      "",
      "print(x)",
      "d = {'a': 1}",
      "f(1,\n  2)",
      "s = '''one\ntwo'''",
      "if x:\n    y = 1\n",
      "if x: y = 1\n",
      "def f():\n    return 1\n\n",
      "x = 'unterminated",
      "x = ')' + \"(\"",
      "print('if x:')  # a comment with ( and :",
      "lambda: 0",
      "xs[1:2]",
      "x = [\n1,\n]",
  })
  @DisplayName("a whole input runs")
  void complete(String source) {
    assertThat(PythonInput.needsMore(source)).as(source).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "if x:",
      "while True:",
      "def f():\n    return 1",
      "for i in range(3):  # loop",
      "if x: y = 1",
      "class A:\n    pass",
      "@decorator",
      "f(1,",
      "x = [",
      "d = {'a':",
      "s = '''one",
      "s = \"\"\"one\ntwo",
      "x = 1 + \\",
      "try:\n    f()\nexcept E:\n    pass",
      "x = 'a\\",
  })
  @DisplayName("an open block, bracket, string or continuation asks for more")
  void needsMore(String source) {
    assertThat(PythonInput.needsMore(source)).as(source).isTrue();
  }
}
