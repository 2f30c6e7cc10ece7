import Foundation

/// Gatehouse's own runtime clients for Python and Node handlers: each speaks the Lambda Runtime API at
/// `AWS_LAMBDA_RUNTIME_API`, loads `_HANDLER` from `LAMBDA_TASK_ROOT`, and answers each invocation with what the
/// handler returns or the error it raises, in Lambda's error shape. Written once per user to a directory of
/// their own and run with the system's `python3` or `node`.
struct BootstrapError: Error, CustomStringConvertible {
    var description: String
}

enum Bootstraps {
    static func command(runtime: String) throws -> [String] {
        switch runtime {
        case "python3": ["python3", "-u", try file("bootstrap.py", python).path]
        default: ["node", try file("bootstrap.js", node).path]
        }
    }

    /// The script in the per-user runtime directory, rewritten when its text changed.
    static func file(_ name: String, _ text: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gatehouse-runtimes-\(getuid())", isDirectory: true)
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // Another user could have made the directory first: run nothing from one that is not ours alone.
        var status = stat()
        guard lstat(directory.path, &status) == 0, status.st_uid == getuid(), status.st_mode & 0o077 == 0,
            status.st_mode & S_IFMT == S_IFDIR
        else {
            throw BootstrapError(
                description: "\(directory.path) is not a directory of this user's alone: remove it, or run as its owner"
            )
        }
        let url = directory.appendingPathComponent(name)
        if (try? String(contentsOf: url, encoding: .utf8)) != text {
            let temporary = directory.appendingPathComponent(".\(name).\(UUID().uuidString)")
            try Data(text.utf8).write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else {
                throw BootstrapError(
                    description: "\(url.path) could not be written: \(String(cString: strerror(errno)))")
            }
        }
        return url
    }

    static let python = #"""
        # Gatehouse's Lambda runtime client for Python handlers.
        import http.client, importlib, json, os, sys, time, traceback

        HOST, PORT = os.environ["AWS_LAMBDA_RUNTIME_API"].rsplit(":", 1)
        BASE = "/2018-06-01/runtime"
        connection = None

        def call(method, path, body=None, headers=None):
            # One kept-alive connection to the Runtime API, made again if it was closed.
            global connection
            for attempt in (1, 2):
                if connection is None:
                    connection = http.client.HTTPConnection(HOST, int(PORT))
                try:
                    connection.request(method, BASE + path, body=body, headers=headers or {})
                    response = connection.getresponse()
                    return response, response.read()
                except (http.client.HTTPException, OSError):
                    connection.close()
                    connection = None
                    if attempt == 2:
                        raise

        def post(path, body, error_type=None):
            headers = {"Content-Type": "application/json"}
            if error_type:
                headers["Lambda-Runtime-Function-Error-Type"] = error_type
            call("POST", path, body, headers)

        def handler_frames(error):
            # The handler's frames, without this client's own.
            frames = traceback.extract_tb(error.__traceback__)
            return traceback.format_list(frames[1:] if len(frames) > 1 else frames)

        def error_body(error, error_type=None, message=None):
            return json.dumps({
                "errorMessage": message if message is not None else str(error),
                "errorType": error_type or type(error).__name__,
                "requestId": "",
                "stackTrace": handler_frames(error) if error is not None else [],
            }).encode()

        class Context:
            def __init__(self, request_id, deadline, arn):
                self.aws_request_id = request_id
                self.invoked_function_arn = arn
                self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
                self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
                self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
                self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
                self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
                self.identity = None
                self.client_context = None
                self._deadline = deadline

            def get_remaining_time_in_millis(self):
                return max(0, self._deadline - int(time.time() * 1000))

        def load():
            root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
            sys.path.insert(0, root)
            module_name, _, function_name = os.environ["_HANDLER"].rpartition(".")
            try:
                module = importlib.import_module(module_name.replace("/", "."))
            except Exception as error:
                post("/init/error", error_body(error, "Runtime.ImportModuleError",
                     "Unable to import module '%s': %s" % (module_name, error)), "Runtime.ImportModuleError")
                sys.exit(1)
            handler = getattr(module, function_name, None)
            if not callable(handler):
                post("/init/error", error_body(None, "Runtime.HandlerNotFound",
                     "Handler '%s' missing on module '%s'" % (function_name, module_name)), "Runtime.HandlerNotFound")
                sys.exit(1)
            return handler

        def main():
            handler = load()
            while True:
                response, payload = call("GET", "/invocation/next")
                request_id = response.getheader("Lambda-Runtime-Aws-Request-Id")
                deadline = int(response.getheader("Lambda-Runtime-Deadline-Ms", "0"))
                arn = response.getheader("Lambda-Runtime-Invoked-Function-Arn")
                event = json.loads(payload or b"null")
                try:
                    result = handler(event, Context(request_id, deadline, arn))
                    body = json.dumps(result).encode()
                except Exception as error:
                    # As Lambda's Python runtime logs an unhandled error.
                    print("[ERROR] %s: %s\nTraceback (most recent call last):\n%s" % (
                        type(error).__name__, error, "".join(handler_frames(error)).rstrip("\n")), file=sys.stderr)
                    post("/invocation/%s/error" % request_id, error_body(error), "Unhandled")
                    continue
                post("/invocation/%s/response" % request_id, body)

        main()
        """#

    static let node = #"""
        // Gatehouse's Lambda runtime client for Node handlers.
        "use strict";
        const http = require("http");
        const path = require("path");
        const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
        const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

        function call(method, route, body, headers) {
          return new Promise((resolve, reject) => {
            const request = http.request(
              { host, port, method, path: "/2018-06-01/runtime" + route, agent, headers: headers || {} },
              (response) => {
                const chunks = [];
                response.on("data", (chunk) => chunks.push(chunk));
                response.on("end", () => resolve({ headers: response.headers, body: Buffer.concat(chunks) }));
              });
            request.on("error", reject);
            if (body !== undefined) request.write(body);
            request.end();
          });
        }

        function errorBody(error, type, message) {
          const stack = error && error.stack ? String(error.stack).split("\n") : [];
          return JSON.stringify({
            errorType: type || (error && error.name) || "Error",
            errorMessage: message !== undefined ? message : String(error && error.message !== undefined ? error.message : error),
            trace: stack,
          });
        }

        async function load() {
          const root = process.env.LAMBDA_TASK_ROOT || process.cwd();
          const name = process.env._HANDLER;
          const dot = name.lastIndexOf(".");
          const moduleName = name.slice(0, dot);
          const functionName = name.slice(dot + 1);
          let loaded;
          try {
            try {
              loaded = require(path.resolve(root, moduleName));
            } catch (error) {
              if (error.code !== "ERR_REQUIRE_ESM" && error.code !== "MODULE_NOT_FOUND") throw error;
              const candidates = [".mjs", ".js"].map((suffix) => path.resolve(root, moduleName + suffix));
              const found = candidates.find((file) => require("fs").existsSync(file));
              if (!found) throw error;
              loaded = await import("file://" + found);
            }
          } catch (error) {
            await call("POST", "/init/error",
              errorBody(error, "Runtime.ImportModuleError", "Error: Cannot find module '" + moduleName + "'"),
              { "Lambda-Runtime-Function-Error-Type": "Runtime.ImportModuleError" });
            process.exit(1);
          }
          const handler = loaded[functionName] || (loaded.default && loaded.default[functionName]);
          if (typeof handler !== "function") {
            await call("POST", "/init/error",
              errorBody(null, "Runtime.HandlerNotFound", moduleName + "." + functionName + " is undefined or not exported"),
              { "Lambda-Runtime-Function-Error-Type": "Runtime.HandlerNotFound" });
            process.exit(1);
          }
          return handler;
        }

        function run(handler, event, context) {
          return new Promise((resolve, reject) => {
            const callback = (error, result) => (error ? reject(error) : resolve(result));
            context.succeed = (result) => resolve(result);
            context.fail = (error) => reject(error);
            context.done = callback;
            try {
              const returned = handler(event, context, callback);
              if (returned && typeof returned.then === "function") returned.then(resolve, reject);
              else if (handler.length < 3) resolve(returned);
            } catch (error) {
              reject(error);
            }
          });
        }

        async function main() {
          const handler = await load();
          for (;;) {
            const next = await call("GET", "/invocation/next");
            const id = next.headers["lambda-runtime-aws-request-id"];
            const deadline = Number(next.headers["lambda-runtime-deadline-ms"] || 0);
            const event = next.body.length ? JSON.parse(next.body.toString("utf8")) : null;
            const context = {
              awsRequestId: id,
              invokedFunctionArn: next.headers["lambda-runtime-invoked-function-arn"],
              functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
              functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
              memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
              logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
              logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
              callbackWaitsForEmptyEventLoop: true,
              getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
            };
            try {
              const result = await run(handler, event, context);
              await call("POST", "/invocation/" + id + "/response", JSON.stringify(result === undefined ? null : result));
            } catch (error) {
              console.error(error);
              await call("POST", "/invocation/" + id + "/error", errorBody(error),
                { "Lambda-Runtime-Function-Error-Type": "Unhandled" });
            }
          }
        }

        main();
        """#
}
