package dev.bubblesandbox.server.routes;

import dev.bubblesandbox.ErrorCode;
import dev.bubblesandbox.RefusedException;
import dev.bubblesandbox.server.web.Bodies;
import dev.bubblesandbox.server.web.BodyDrain;
import dev.bubblesandbox.server.web.RequestPaths;
import dev.bubblesandbox.server.web.ServerContext;
import dev.bubblesandbox.server.web.TenantScope;
import dev.bubblesandbox.session.workspace.FileEntry;
import dev.bubblesandbox.session.SessionLease;
import dev.bubblesandbox.session.workspace.WorkspaceFiles;
import dev.bubblesandbox.session.workspace.WorkspacePaths;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.file.AsyncFile;
import io.vertx.core.file.OpenOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.MimeMapping;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.FileUpload;
import io.vertx.ext.web.RoutingContext;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * Uploads, listings, downloads and deletes inside a session's workspace. Every path is resolved
 * by {@link WorkspacePaths} off the event loop; uploads stream to disk as they arrive.
 */
public final class FileHandlers {

  private final Vertx vertx;
  private final ServerContext context;

  public FileHandlers(Vertx vertx, ServerContext context) {
    this.vertx = vertx;
    this.context = context;
  }

  /**
   * {@code PUT .../files/{path}}: the raw body becomes the file, streamed to disk; 201 for a new
   * file, 200 for one replaced. The body is read only once every check has passed (and a client
   * that sent {@code Expect: 100-continue} has been told so); a refusal leaves the unread body to
   * {@link BodyDrain}.
   */
  public void handlePut(RoutingContext routing) {
    HttpServerRequest request = routing.request();
    request.pause();
    String relative = filePath(routing);
    long max = context.api().maxUploadSizeBytes();
    String length = request.getHeader("Content-Length");
    if (length != null && parseLength(length) > max) {
      throw tooLarge(max);
    }
    SessionLease session = hold(routing);
    context.blocking().executeBlocking(() -> {
          Path target = context.workspaces().files().uploadTarget(session.workspace(), relative);
          if (length != null && parseLength(length) > Files.getFileStore(target.getParent()).getUsableSpace()) {
            throw WorkspaceFiles.quotaExceeded();
          }
          Path received = target.resolveSibling(".upload-" + UUID.randomUUID());
          Files.createFile(received);
          return new Upload(target, received);
        })
        .compose(upload -> vertx.fileSystem()
            .open(upload.received.toString(), new OpenOptions().setWrite(true).setCreate(false))
            .compose(file -> {
              if (BodyDrain.expectsContinue(request)) {
                routing.response().writeContinue();
              }
              return receive(request, file, max).eventually(file::close);
            })
            .compose(size -> context.blocking().executeBlocking(() -> {
              // The hold keeps executions out, so nothing else swaps the target in between.
              boolean replaced = Files.exists(upload.target, LinkOption.NOFOLLOW_LINKS);
              context.workspaces().files().place(upload.received, upload.target);
              return new Placed(size, replaced);
            }))
            // The partial file goes before the answer, so a client that hears the refusal finds nothing.
            .recover(failure -> context.blocking().executeBlocking(() -> Files.deleteIfExists(upload.received))
                .transform(deleted -> Future.<Placed>failedFuture(failure))))
        .onComplete(done -> session.close())
        .onSuccess(placed -> {
          context.metrics().uploaded(placed.size);
          Bodies.json(routing, placed.replaced ? 200 : 201, new JsonObject().put("path", relative).put("size", placed.size));
        })
        .onFailure(routing::fail);
  }

  private record Placed(long size, boolean replaced) {}

  private record Upload(Path target, Path received) {}

  private record Download(Path path, AsyncFile file, long size) {}

  /** Streams the request body into {@code file}, pausing the client while the disk catches up. */
  private Future<Long> receive(HttpServerRequest request, AsyncFile file, long max) {
    io.vertx.core.Promise<Long> promise = io.vertx.core.Promise.promise();
    long[] received = {0};
    request.handler(buffer -> {
      if (promise.future().isComplete()) {
        // Refused (too large, or a write failed): BodyDrain takes over once the answer is out.
        return;
      }
      received[0] += buffer.length();
      if (received[0] > max) {
        refuse(request, promise, tooLarge(max));
        return;
      }
      file.write(buffer).onFailure(failure -> refuse(request, promise,
          WorkspaceFiles.outOfSpace(failure) ? WorkspaceFiles.quotaExceeded() : failure));
      if (file.writeQueueFull()) {
        request.pause();
        file.drainHandler(drained -> request.resume());
      }
    });
    // The last writes may still fail (a full workspace): the end counts once they are done.
    request.endHandler(end -> {
      if (promise.future().isComplete()) {
        return;
      }
      file.flush().onComplete(flushed -> {
        if (flushed.failed()) {
          promise.tryFail(WorkspaceFiles.outOfSpace(flushed.cause()) ? WorkspaceFiles.quotaExceeded() : flushed.cause());
        } else {
          promise.tryComplete(received[0]);
        }
      });
    });
    request.exceptionHandler(promise::tryFail);
    request.resume();
    return promise.future();
  }

  /**
   * Stops reading before the refusal travels to the answer: the rest of the body stays unread
   * until {@link BodyDrain} takes it over, so how much of it arrived meanwhile cannot change
   * whether the answer closes the connection.
   */
  private static void refuse(HttpServerRequest request, io.vertx.core.Promise<Long> promise, Throwable refusal) {
    request.pause();
    promise.tryFail(refusal);
  }

  /**
   * Before a multipart form is read: a missing or busy session is refused at once, so the client
   * hears it before sending the form (and before {@code 100 Continue}), and nothing is spooled.
   * {@link #handleMultipart} checks again once the form is in.
   */
  public void checkSession(RoutingContext routing) {
    context.sessions().checkFilesAvailable(TenantScope.sessionId(routing));
    routing.next();
  }

  /** {@code POST .../files}: a multipart form, each file part placed at its file name. */
  public void handleMultipart(RoutingContext routing) {
    List<FileUpload> uploads = routing.fileUploads();
    if (uploads.isEmpty()) {
      throw new RefusedException(ErrorCode.INVALID_REQUEST, "The form holds no file.");
    }
    // Check every name before anything is placed: one bad name refuses the whole request.
    for (FileUpload upload : uploads) {
      List<String> names = WorkspacePaths.names(upload.fileName());
      context.workspaces().files().checkExtension(names.get(names.size() - 1));
    }
    SessionLease session = hold(routing);
    context.blocking().executeBlocking(() -> {
          JsonArray placed = new JsonArray();
          for (FileUpload upload : uploads) {
            Path target = context.workspaces().files().uploadTarget(session.workspace(), upload.fileName());
            context.workspaces().files().place(Path.of(upload.uploadedFileName()), target);
            context.metrics().uploaded(upload.size());
            placed.add(new JsonObject().put("path", upload.fileName()).put("size", upload.size()));
          }
          return placed;
        })
        .onComplete(done -> session.close())
        .onSuccess(placed -> Bodies.json(routing, 201, new JsonObject().put("files", placed)))
        .onFailure(routing::fail);
  }

  public void handleList(RoutingContext routing) {
    SessionLease session = hold(routing);
    context.blocking().executeBlocking(() -> context.workspaces().files().list(session.workspace()))
        .onComplete(done -> session.close())
        .onSuccess(entries -> {
          JsonArray files = new JsonArray();
          for (FileEntry entry : entries) {
            files.add(new JsonObject().put("path", entry.path()).put("size", entry.size())
                .put("modified", entry.modified()));
          }
          Bodies.json(routing, 200, new JsonObject().put("files", files));
        })
        .onFailure(routing::fail);
  }

  public void handleDownload(RoutingContext routing) {
    String relative = filePath(routing);
    SessionLease session = hold(routing);
    // The hold covers the check and the open; once open, the descriptor is what is sent, whatever
    // a later execution does to the path.
    context.blocking().executeBlocking(() -> WorkspacePaths.existingFile(session.workspace(), relative))
        .compose(file -> vertx.fileSystem().open(file.toString(), new OpenOptions().setRead(true).setWrite(false))
            .compose(opened -> opened.size().map(size -> new Download(file, opened, size))))
        .onComplete(done -> session.close())
        .onSuccess(download -> {
          String name = download.path.getFileName().toString();
          String type = MimeMapping.mimeTypeForFilename(name);
          // Sandboxed code wrote this file: never let a browser render it as this origin's page.
          routing.response()
              .putHeader("Content-Type", type == null ? "application/octet-stream" : type)
              .putHeader("X-Content-Type-Options", "nosniff")
              .putHeader("Content-Disposition", ContentDisposition.attachment(name))
              .putHeader("Content-Length", Long.toString(download.size));
          download.file.pipeTo(routing.response()).onSuccess(sent -> context.metrics().downloaded(download.size));
        })
        .onFailure(routing::fail);
  }

  public void handleDelete(RoutingContext routing) {
    String relative = filePath(routing);
    SessionLease session = hold(routing);
    context.blocking().executeBlocking(() -> {
          context.workspaces().files().delete(session.workspace(), relative);
          return null;
        })
        .onComplete(done -> session.close())
        .onSuccess(done -> routing.response().setStatusCode(204).end())
        .onFailure(routing::fail);
  }

  /** The file path after {@code /files/}, percent-decoded. */
  static String filePath(RoutingContext routing) {
    String raw = routing.pathParam("*");
    return raw == null ? "" : RequestPaths.decode(raw);
  }

  private SessionLease hold(RoutingContext routing) {
    return context.sessions().leaseFiles(TenantScope.sessionId(routing));
  }

  private static RefusedException tooLarge(long max) {
    return new RefusedException(ErrorCode.PAYLOAD_TOO_LARGE, "The upload is larger than " + max + " bytes.");
  }

  private static long parseLength(String length) {
    try {
      return Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      throw new RefusedException(ErrorCode.INVALID_REQUEST, "Content-Length is not a number.");
    }
  }

}
