/**
 * {@code /mcp}, the Model Context Protocol (SPEC §12): the official MCP Java SDK's server on a
 * Vert.x Streamable HTTP transport, and the sandbox tools, which call this server's HTTP API with
 * the caller's credentials. Event-loop code: tools and transport only subscribe and write.
 *
 * <p>May import the root package only; the API is reached over HTTP, as any client reaches it.
 */
package dev.bubblesandbox.server.mcp;
