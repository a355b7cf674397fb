// The npm `ws` package (what Node.js front-ends and many browsers' test rigs
// use) against the real parleyd: auth by access_token, create_session,
// subscribe, send with accepted before the turn's events, two connections
// seeing the same events, error frames, ping/pong and the shutdown close code.
//
// Usage: node websocket_client_test.mjs /path/to/parleyd
// Exit 0 on success, 1 on failure, 77 (skipped) when `ws` is not installed.
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import assert from "node:assert/strict";

let WebSocket;
try {
  ({ default: WebSocket } = await import("ws"));
} catch {
  console.log("skipped: the ws package is not installed (npm ci in tests/js)");
  process.exit(77);
}

const parleyd = process.argv[2];
const KEY = "sk-js-test-key";
const dir = mkdtempSync(join(tmpdir(), "parley-js-ws-"));
const config = join(dir, "parley.toml");
writeFileSync(
  config,
  `[server]
listen = "127.0.0.1:0"
io_threads = 2
shutdown_grace_seconds = 3
[storage]
path = ":memory:"
[providers.fast]
kind = "mock"
tokens_per_second = 0
[agents.fast]
provider = "fast"
[[auth.keys]]
name = "js"
tenant = "js"
key_env = "PARLEY_JS_KEY"
`,
);

const daemon = spawn(parleyd, ["--config", config], {
  env: { ...process.env, PARLEY_JS_KEY: KEY },
  stdio: ["ignore", "pipe", "pipe"],
});
let output = "";
const port = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`parleyd did not start:\n${output}`)), 30000);
  const watch = (chunk) => {
    output += chunk;
    const match = output.match(/listening on [^\s]+:(\d+)/);
    if (match) {
      clearTimeout(timer);
      resolve(Number(match[1]));
    }
  };
  daemon.stdout.on("data", watch);
  daemon.stderr.on("data", watch);
  daemon.on("exit", (code) => reject(new Error(`parleyd exited with ${code}:\n${output}`)));
});

// A connection whose frames can be awaited one by one.
function connect(query = `?access_token=${KEY}`) {
  const socket = new WebSocket(`ws://127.0.0.1:${port}/v1/ws${query}`);
  const frames = [];
  const waiters = [];
  socket.on("message", (data, isBinary) => {
    assert.equal(isBinary, false);
    frames.push(JSON.parse(data.toString()));
    while (waiters.length && frames.length) waiters.shift()(frames.shift());
  });
  const next = (timeoutMs = 10000) =>
    new Promise((resolve, reject) => {
      if (frames.length) return resolve(frames.shift());
      const timer = setTimeout(() => reject(new Error("no frame within the timeout")), timeoutMs);
      waiters.push((frame) => {
        clearTimeout(timer);
        resolve(frame);
      });
    });
  const until = async (type) => {
    const skipped = [];
    for (;;) {
      const frame = await next();
      if (frame.type === type) return { frame, skipped };
      skipped.push(frame);
    }
  };
  const closed = new Promise((resolve) => socket.on("close", (code) => resolve(code)));
  const opened = new Promise((resolve, reject) => {
    socket.on("open", resolve);
    socket.on("unexpected-response", (_request, response) => reject(Object.assign(new Error("refused"), { status: response.statusCode })));
    socket.on("error", reject);
  });
  const send = (frame) => socket.send(JSON.stringify(frame));
  return { socket, opened, closed, next, until, send };
}

const terminal = new Set(["turn.completed", "turn.interrupted", "turn.failed"]);
async function readTurn(client) {
  const events = [];
  for (;;) {
    const frame = await client.next();
    events.push(frame);
    if (terminal.has(frame.type)) return events;
  }
}

let failed = false;
try {
  // No key: the upgrade is refused with 401.
  const anonymous = connect("");
  await assert.rejects(anonymous.opened, (error) => error.status === 401);

  const alice = connect();
  const bob = connect();
  await Promise.all([alice.opened, bob.opened]);

  alice.send({ type: "ping", ref: "hello" });
  assert.deepEqual(await alice.next(), { type: "pong", ref: "hello" });

  alice.send({ type: "create_session", agent: "fast", ref: 1 });
  const { frame: created } = await alice.until("session");
  assert.equal(created.ref, 1);
  const sessionId = created.session.id;
  assert.match(sessionId, /^ses_/);

  bob.send({ type: "subscribe", session_id: sessionId });
  const { frame: subscribed } = await bob.until("subscribed");
  assert.equal(subscribed.last_seq, 0);

  alice.send({ type: "send", session_id: sessionId, content: "hello from node", ref: "m1" });
  const accepted = await alice.next();
  assert.equal(accepted.type, "accepted");
  assert.equal(accepted.ref, "m1");
  const [atAlice, atBob] = await Promise.all([readTurn(alice), readTurn(bob)]);
  for (const events of [atAlice, atBob]) {
    assert.equal(events[0].type, "turn.started");
    assert.equal(events.at(-1).type, "turn.completed");
    const text = events.filter((e) => e.type === "message.delta").map((e) => e.delta).join("");
    assert.equal(text, "echo: hello from node");
    for (const event of events) assert.equal(event.turn_id, accepted.turn_id);
  }
  assert.deepEqual(atAlice.map((e) => e.seq), atBob.map((e) => e.seq));

  bob.send({ type: "send", session_id: "ses_missing", content: "x", ref: 9 });
  const error = await bob.next();
  assert.deepEqual(
    { type: error.type, code: error.code, ref: error.ref, session_id: error.session_id },
    { type: "error", code: "session_not_found", ref: 9, session_id: "ses_missing" },
  );
  bob.socket.send("{not json");
  assert.equal((await bob.next()).code, "invalid_json");

  daemon.kill("SIGTERM");
  assert.deepEqual(await Promise.all([alice.closed, bob.closed]), [1001, 1001]);
  console.log("ok: the ws client test passed");
} catch (error) {
  failed = true;
  console.error("FAILED:", error);
  console.error(output);
} finally {
  daemon.kill("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
