/**
 * The launch conversation on the event bus between the API and the sandbox worker: one
 * command, its events and its result per execution, their local codecs and how error codes
 * cross the bus.
 *
 * <p>May import sandbox and sandbox.output values and the root package only.
 */
package dev.bubblesandbox.server.bus;
