/**
 * Request plumbing shared by the routes: what the API verticles share (ServerContext), access
 * and Host checks, bodies, request ids, tenant scoping, and the one place failures become HTTP
 * errors (ErrorResponses).
 *
 * <p>May import server.bus, server.metrics, server.kernel, cluster (hop tokens), session,
 * session.workspace, sandbox, sandbox.output, environment, config and the root package; no
 * blocking API.
 */
package dev.bubblesandbox.server.web;
