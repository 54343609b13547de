package dev.bubblesandbox.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A second, independent MCP implementation agrees: the MCP inspector's CLI mode
 * ({@code @modelcontextprotocol/inspector} from npm, installed in {@code .ci/npm}, not globally)
 * lists the tools of {@code /mcp} and calls {@code run_python}. The server is key-less (the
 * inspector's CLI sets no headers), on loopback.
 */
class McpInspectorIT {

  private static final Path NPM_PREFIX = Path.of(".ci", "npm");
  private static final Path INSPECTOR = NPM_PREFIX.resolve("node_modules/.bin/mcp-inspector");

  @RegisterExtension
  static final TestServer server = TestServer.perClass(Map.of());

  @BeforeAll
  static void install() throws Exception {
    if (!Files.isExecutable(INSPECTOR)) {
      McpClients.run(List.of("npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix",
          NPM_PREFIX.toString(), "@modelcontextprotocol/inspector"), Map.of(), 10);
    }
  }

  @Test
  @DisplayName("The inspector's CLI lists the eight tools with their schemas")
  void listsTools() throws Exception {
    String printed = inspector("--method", "tools/list");
    for (String tool : List.of("run_python", "run_shell", "create_session", "close_session", "list_environments",
        "list_files", "read_file", "write_file")) {
      assertThat(printed).contains("\"name\": \"" + tool + "\"");
    }
    assertThat(printed).contains("\"inputSchema\"").contains("\"outputSchema\"");
  }

  @Test
  @DisplayName("The inspector's CLI calls run_python and reads its structured result")
  void callsRunPython() throws Exception {
    String printed = inspector("--method", "tools/call", "--tool-name", "run_python", "--tool-arg", "code=print(6 * 7)");
    assertThat(printed).contains("\"isError\": false").contains("\"stdout\": \"42\\n\"");
  }

  private static String inspector(String... arguments) throws Exception {
    List<String> command = new java.util.ArrayList<>(List.of(INSPECTOR.toString(), "--cli",
        server.uri("/mcp").toString(), "--transport", "http"));
    command.addAll(List.of(arguments));
    return McpClients.run(command, Map.of(), 3);
  }
}
