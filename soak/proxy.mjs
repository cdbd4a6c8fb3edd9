// A round-robin HTTP proxy in front of the Gatehouse instances, the way an
// operator's load balancer would sit there: no stickiness (consecutive
// requests of one browser go to different instances), and it appends the
// client's address to X-Forwarded-For (the instances run with
// TRUSTED_PROXIES=1). A refused connection (an instance that is down) is
// tried on the next instance, as nginx's `proxy_next_upstream error` does:
// the request never reached the dead one. Anything else is answered 502, or,
// once the response has begun, ends the client's connection.
import http from "node:http";

export function startProxy({ port, upstreams, onResponse = () => undefined }) {
  let next = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  const forward = (req, res, body, tried) => {
    const candidates = upstreams.filter((u) => !tried.includes(u));
    const target = candidates[next++ % candidates.length];
    const forwardedFor = [req.headers["x-forwarded-for"], req.socket.remoteAddress].filter(Boolean).join(", ");
    const upstream = http.request(
      { host: "127.0.0.1", port: target.port, method: req.method, path: req.url, agent, headers: { ...req.headers, "x-forwarded-for": forwardedFor } },
      (response) => {
        onResponse({ instance: target.name, status: response.statusCode, method: req.method, path: req.url });
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
        // The instance died after its headers (kill -9 between the head and the body): pipe() would leave the
        // client waiting for a body that never comes. Reset its connection, as a load balancer does.
        response.on("close", () => {
          if (!response.complete) res.destroy();
        });
      },
    );
    upstream.on("error", (error) => {
      if (error.code === "ECONNREFUSED" && tried.length + 1 < upstreams.length && !res.headersSent) return forward(req, res, body, [...tried, target]);
      onResponse({ instance: target.name, status: 502, method: req.method, path: req.url, error: error.code ?? error.message });
      if (!res.headersSent) {
        res.writeHead(502, { "content-type": "text/plain" });
        res.end(`soak proxy: ${target.name} failed (${error.code ?? error.message})`);
      } else {
        res.destroy();
      }
    });
    upstream.end(body);
  };

  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => forward(req, res, Buffer.concat(chunks), []));
  });
  return new Promise((resolve) =>
    server.listen(port, "127.0.0.1", () =>
      resolve({
        close: () => new Promise((done) => (agent.destroy(), server.closeAllConnections(), server.close(done))),
      }),
    ),
  );
}
