// The official OpenAI Node SDK (v4), unchanged, against parleyd's
// OpenAI-compatible surface. Starts its own parleyd (PARLEYD_PATH) with a
// mock-provider configuration and one API key, then drives models.list(),
// chat.completions.create() with and without streaming, and an agent that
// runs the todo tool server-side. Exits non-zero on the first failure.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import assert from "node:assert/strict";

// Imported here so that a checkout without `npm ci` in tests/js skips (77) instead of failing.
let OpenAI;
try {
  ({ default: OpenAI } = await import("openai"));
} catch {
  console.log("the openai package is not installed: run `npm ci` in tests/js (scripts/test does); skipping");
  process.exit(77);
}

const kStartTimeoutMs = 20000;
const kApiKey = "sk-parley-js-test";

const config = `
[server]
listen = "127.0.0.1:0"
io_threads = 2
[storage]
path = "parley.db"
[[auth.keys]]
name = "js"
tenant = "js"
key_env = "PARLEY_JS_TEST_KEY"
[providers.demo]
kind = "mock"
tokens_per_second = 0
[agents.assistant]
provider = "demo"
model = "mock"
[agents.planner]
provider = "demo"
model = "mock"
tools = ["todo"]
`;

function startParleyd(parleyd) {
  const dir = mkdtempSync(join(tmpdir(), "parley-js-"));
  writeFileSync(join(dir, "parley.toml"), config);
  const child = spawn(parleyd, ["--config", join(dir, "parley.toml")], {
    cwd: dir,
    env: { ...process.env, PARLEY_JS_TEST_KEY: kApiKey },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const port = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`parleyd did not start:\n${output}`)), kStartTimeoutMs);
    const onData = (data) => {
      output += data.toString();
      const match = output.match(/listening on [^\s:]+:(\d+)/);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`parleyd exited with ${code}:\n${output}`));
    });
  });
  const stop = async () => {
    if (child.exitCode === null && child.pid !== undefined) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };
  return { port, stop, output: () => output };
}

async function collect(stream) {
  const chunks = [];
  for await (const chunk of stream) {
    chunks.push(chunk);
  }
  return chunks;
}

async function run(client) {
  const models = [];
  for await (const model of client.models.list()) {
    models.push(model);
  }
  assert.deepEqual(models.map((model) => model.id).sort(), ["assistant", "planner"]);
  for (const model of models) {
    assert.equal(model.object, "model");
    assert.equal(model.owned_by, "parley");
  }

  const completion = await client.chat.completions.create({
    model: "assistant",
    messages: [
      { role: "system", content: "You are terse." },
      { role: "user", content: "hello from the sdk" },
    ],
    temperature: 0.2,
    max_tokens: 64,
  });
  assert.match(completion.id, /^chatcmpl-/);
  assert.equal(completion.object, "chat.completion");
  assert.equal(completion.model, "assistant");
  assert.equal(completion.choices.length, 1);
  assert.equal(completion.choices[0].message.role, "assistant");
  assert.equal(completion.choices[0].message.content, "echo: hello from the sdk");
  assert.equal(completion.choices[0].finish_reason, "stop");
  assert.equal(completion.usage.total_tokens, completion.usage.prompt_tokens + completion.usage.completion_tokens);

  const stream = await client.chat.completions.create({
    model: "assistant",
    messages: [{ role: "user", content: "stream this reply" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  const chunks = await collect(stream);
  assert.ok(chunks.length >= 4, `expected at least 4 chunks, got ${chunks.length}`);
  assert.equal(chunks[0].object, "chat.completion.chunk");
  assert.equal(chunks[0].choices[0].delta.role, "assistant");
  const text = chunks.map((chunk) => chunk.choices[0]?.delta?.content ?? "").join("");
  assert.equal(text, "echo: stream this reply");
  const finishes = chunks.filter((chunk) => chunk.choices[0]?.finish_reason);
  assert.equal(finishes.length, 1);
  assert.equal(finishes[0].choices[0].finish_reason, "stop");
  const usage = chunks[chunks.length - 1];
  assert.deepEqual(usage.choices, []);
  assert.equal(usage.usage.completion_tokens, 4);

  const todo = { todos: [{ id: "1", content: "ship the SDK test", status: "in_progress" }] };
  const planned = await client.chat.completions.create({
    model: "planner",
    messages: [{ role: "user", content: `/tool todo ${JSON.stringify(todo)}` }],
  });
  assert.equal(planned.choices[0].message.content, `tool said: ${JSON.stringify(todo)}`);

  const plannedStream = await client.chat.completions.create({
    model: "planner",
    messages: [{ role: "user", content: `/tool todo ${JSON.stringify(todo)}` }],
    stream: true,
  });
  const plannedText = (await collect(plannedStream)).map((chunk) => chunk.choices[0]?.delta?.content ?? "").join("");
  assert.equal(plannedText, `tool said: ${JSON.stringify(todo)}`);

  await assert.rejects(
    client.chat.completions.create({ model: "no-such-agent", messages: [{ role: "user", content: "hi" }] }),
    (error) => error instanceof OpenAI.NotFoundError && error.code === "model_not_found",
  );
  await assert.rejects(
    client.chat.completions.create({ model: "assistant", messages: [] }),
    (error) => error instanceof OpenAI.BadRequestError && error.param === "messages",
  );

  const wrongKey = new OpenAI({ baseURL: client.baseURL, apiKey: "sk-wrong", maxRetries: 0 });
  await assert.rejects(wrongKey.models.list(), (error) => error instanceof OpenAI.AuthenticationError);
}

const parleyd = process.env.PARLEYD_PATH;
if (!parleyd) {
  console.error("PARLEYD_PATH must name the parleyd binary");
  process.exit(2);
}
const daemon = startParleyd(resolve(parleyd));
let failed = false;
try {
  const port = await daemon.port;
  const client = new OpenAI({ baseURL: `http://127.0.0.1:${port}/v1`, apiKey: kApiKey, maxRetries: 0 });
  await run(client);
  console.log("openai SDK test: all checks passed");
} catch (error) {
  failed = true;
  console.error(error);
  console.error(`--- parleyd output ---\n${daemon.output()}`);
} finally {
  await daemon.stop();
}
process.exit(failed ? 1 : 0);
