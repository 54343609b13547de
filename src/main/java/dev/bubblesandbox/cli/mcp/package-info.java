/**
 * {@code bubble-sandbox mcp}: MCP over stdio, bridged to a server's {@code /mcp} (a running one
 * with {@code --url}, else one started privately in this process).
 *
 * <p>May import server (to start the private server) and the root package.
 */
package dev.bubblesandbox.cli.mcp;
