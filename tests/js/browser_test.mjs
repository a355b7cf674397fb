// The built-in chat page in a real browser: Debian's Chromium, headless,
// driven by playwright-core, against the real parleyd with the mock provider
// (replies "echo: <message>", a word at a time at tokens_per_second).
//
// Usage: node browser_test.mjs --parleyd PATH --artifacts DIR [--chromium PATH]
// Exits 0 on success, 1 on failure, 77 (ctest: skipped) when Chromium or
// playwright-core is not installed (scripts/test installs both).
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import assert from "node:assert/strict";

const kSkip = 77;
const kKey = "browser-test-key";
const kStepTimeoutMs = 20000;

const { values: options } = parseArgs({
  options: {
    parleyd: { type: "string" },
    artifacts: { type: "string" },
    chromium: { type: "string", default: "/usr/bin/chromium" },
  },
});
if (!options.parleyd || !options.artifacts) {
  console.error("usage: node browser_test.mjs --parleyd PATH --artifacts DIR [--chromium PATH]");
  process.exit(2);
}
if (!existsSync(options.chromium)) {
  console.log(`skipped: no Chromium at ${options.chromium} (apt-get install chromium)`);
  process.exit(kSkip);
}
let chromium;
try {
  ({ chromium } = await import("playwright-core"));
} catch {
  console.log("skipped: playwright-core is not installed (npm ci in tests/js)");
  process.exit(kSkip);
}

// Keys on, so the page has to ask for the token and send it (Bearer on
// fetch, access_token on EventSource). The `assistant` agent streams slowly
// enough to watch and to interrupt: 25 words a second.
const config = `
[server]
listen = "127.0.0.1:0"
io_threads = 2
shutdown_grace_seconds = 2
[storage]
path = "parley.db"
[[auth.keys]]
name = "browser"
tenant = "browser"
key_env = "PARLEY_BROWSER_KEY"
[providers.slow]
kind = "mock"
tokens_per_second = 25
[agents.assistant]
description = "echoes, a word at a time"
provider = "slow"
model = "echo-slow"
tools = ["todo"]
[agents.other]
provider = "slow"
model = "echo-slow"
`;

// --- parleyd ---------------------------------------------------------------------

// listen: "host:port" to restart on the same address (PARLEY_LISTEN).
function startParleyd(directory, listen) {
  writeFileSync(join(directory, "parley.toml"), config);
  const env = { ...process.env, PARLEY_BROWSER_KEY: kKey };
  if (listen) env.PARLEY_LISTEN = listen;
  const child = spawn(resolve(options.parleyd), ["--config", join(directory, "parley.toml")], {
    cwd: directory,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const listening = new Promise((resolve, reject) => {
    const onData = (chunk) => {
      output += chunk;
      const match = /listening on ([\d.]+):(\d+)/.exec(output);
      if (match) resolve({ base: `http://${match[1]}:${match[2]}`, listen: `${match[1]}:${match[2]}` });
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("exit", (code) => reject(new Error(`parleyd exited (${code}) before listening:\n${output}`)));
    setTimeout(() => reject(new Error(`parleyd did not listen within 30 s:\n${output}`)), 30000);
  });
  return { child, listening, output: () => output };
}

async function stopParleyd(daemon) {
  if (daemon.child.exitCode !== null) return daemon.child.exitCode;
  const exited = new Promise((resolve) => daemon.child.on("exit", (code) => resolve(code)));
  daemon.child.kill("SIGTERM");
  return exited;
}

// --- the test ----------------------------------------------------------------------

const steps = [];
function step(name) {
  steps.push(name);
  console.log(`- ${name}`);
}

async function run(base, listen, page, artifacts) {
  const errors = [];
  let tolerated = null; // console errors a step provokes on purpose
  page.on("pageerror", (error) => errors.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    // The first /v1 call without a token is refused (401) on purpose.
    if (/status of 401/.test(message.text())) return;
    if (tolerated && tolerated.test(message.text())) return;
    errors.push(`console: ${message.text()}`);
  });
  // Stops parleyd, waits until the page notices, starts it again on the same
  // address and database, and waits until the page follows the session again.
  const restartDaemon = async () => {
    assert.equal(await stopParleyd(daemon), 0, daemon.output());
    await page.locator("#connection.reconnecting").waitFor();
    daemon = startParleyd(directory, listen);
    await daemon.listening;
    await page.locator("#connection.live").waitFor();
  };
  // Any CSP violation would mean injected markup reached the DOM.
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (event) =>
      window.__cspViolations.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });

  step("the page is served from the binary, with its content type and caching headers");
  const response = await page.goto(`${base}/`);
  assert.equal(response.status(), 200);
  assert.match(response.headers()["content-type"], /^text\/html/);
  assert.equal(response.headers()["cache-control"], "no-cache");
  assert.match(response.headers()["etag"], /^"[0-9a-f]{32}"$/);
  const etag = response.headers()["etag"];
  const again = await fetch(`${base}/`, { headers: { "If-None-Match": etag } });
  assert.equal(again.status, 304);
  const script = await page.evaluate(() => document.querySelector("script[src]").getAttribute("src"));
  assert.match(script, /^\/assets\/app\.js\?v=[0-9a-f]{16}$/);
  const asset = await fetch(`${base}${script}`);
  assert.match(asset.headers.get("content-type"), /^text\/javascript/);
  assert.match(asset.headers.get("cache-control"), /immutable/);

  step("without a token the page asks for one; with it, the agents load");
  await page.locator("#notice").getByText("access token is required").waitFor();
  await page.fill("#token", kKey);
  await page.press("#token", "Enter");
  await page.locator("#agent option[value='assistant']").waitFor({ state: "attached" });
  assert.equal(await page.evaluate(() => localStorage.getItem("parley.access_token")), kKey);

  step("create a session");
  await page.selectOption("#agent", "assistant");
  await page.click("#new-session");
  await page.locator(".session-item.active").waitFor();
  await page.locator("#connection.live").waitFor();
  await page.waitForFunction(() => !document.querySelector("#input").disabled);

  step("send a message and watch the reply stream in");
  await page.evaluate(() => {
    window.__partials = [];
    const record = () => {
      const bodies = document.querySelectorAll("#transcript .msg.assistant .body");
      const text = bodies.length ? bodies[bodies.length - 1].textContent : "";
      if (text && window.__partials.at(-1) !== text) window.__partials.push(text);
    };
    new MutationObserver(record).observe(document.querySelector("#transcript"), {
      subtree: true,
      childList: true,
      characterData: true,
    });
  });
  const words = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma";
  await page.fill("#input", words);
  await page.press("#input", "Enter");
  await page.locator(".msg.user", { hasText: words }).waitFor();
  const done = page.locator(".msg.assistant[data-status='complete']", { hasText: `echo: ${words}` });
  await done.waitFor();
  const partials = await page.evaluate(() => window.__partials);
  const final = `echo: ${words}`;
  const growing = [...new Set(partials)].filter((text) => text !== final && final.startsWith(text));
  assert.ok(growing.length >= 2, `expected at least two partial texts before completion, saw ${JSON.stringify(partials)}`);
  console.log(`  ${growing.length} partial texts before the reply completed`);

  step("Shift+Enter adds a new line instead of sending");
  await page.fill("#input", "first line");
  await page.press("#input", "Shift+Enter");
  await page.type("#input", "second line");
  assert.equal(await page.inputValue("#input"), "first line\nsecond line");
  await page.fill("#input", "");

  step("interrupt a slow reply (Esc)");
  const long = Array.from({ length: 150 }, (_, i) => `w${i}`).join(" ");
  await page.fill("#input", long);
  await page.press("#input", "Enter");
  await page.locator("#transcript[data-state='running']").waitFor();
  // Stop once the reply has visibly started streaming.
  await page.waitForFunction(() => {
    const bodies = document.querySelectorAll("#transcript .msg.assistant .body");
    return bodies.length >= 2 && bodies[bodies.length - 1].textContent.length > 20;
  });
  await page.keyboard.press("Escape");
  const stopped = page.locator(".msg.assistant[data-status='interrupted']");
  await stopped.waitFor();
  await page.locator("#transcript[data-state='idle']").waitFor();
  const partialText = await stopped.locator(".body").textContent();
  assert.ok(partialText.startsWith("echo: w0"), partialText);
  assert.ok(partialText.length < `echo: ${long}`.length, "the interrupted reply is shorter than the full one");
  assert.equal(await stopped.locator(".status").textContent(), "stopped");

  step("rename the session");
  await page.locator(".session-item.active .rename").click();
  await page.fill(".session-item input", "browser test");
  await page.press(".session-item input", "Enter");
  await page.locator(".session-item.active .open", { hasText: "browser test" }).waitFor();
  await page.locator("#chat-title", { hasText: "browser test" }).waitFor();

  step("reload: the history comes back");
  const before = await transcript(page);
  await page.reload();
  await page.locator("#connection.live").waitFor();
  await page.locator(".msg.assistant[data-status='interrupted']").waitFor();
  const after = await transcript(page);
  assert.deepEqual(after, before);
  assert.equal(after.length, 4);
  assert.equal(await page.locator("#chat-title").textContent(), "browser test");

  step("markup in a message is shown literally and never runs");
  const attacks = [
    "<img src=x onerror=window.__xss=1>",
    "<script>window.__xss=2</script>",
    "**bold** [link](javascript:window.__xss=3) <b onmouseover=window.__xss=4>b</b>",
  ];
  const complete = page.locator(".msg.assistant[data-status='complete']");
  for (const attack of attacks) {
    const replies = await complete.count();
    await page.fill("#input", attack);
    await page.press("#input", "Enter");
    await complete.nth(replies).waitFor();
  }
  const users = await page.locator(".msg.user .body").allTextContents();
  for (const attack of attacks) assert.ok(users.includes(attack), `user text not literal: ${attack}`);
  const injected = await page.evaluate(() => ({
    xss: window.__xss,
    img: document.querySelectorAll("#transcript img").length,
    script: document.querySelectorAll("#transcript script").length,
    b: document.querySelectorAll("#transcript b").length,
    javascriptLinks: [...document.querySelectorAll("#transcript a")].filter((a) => !/^https?:|^mailto:/.test(a.href)).length,
    handlers: [...document.querySelectorAll("#transcript *")].filter((node) =>
      [...node.attributes].some((attribute) => attribute.name.startsWith("on")),
    ).length,
    csp: window.__cspViolations,
  }));
  assert.deepEqual(injected, { xss: undefined, img: 0, script: 0, b: 0, javascriptLinks: 0, handlers: 0, csp: [] });
  // The assistant's markdown still renders its whitelist: **bold** is <strong>.
  const lastReply = page.locator(".msg.assistant").last();
  assert.equal(await lastReply.locator("strong").textContent(), "bold");
  assert.ok((await lastReply.textContent()).includes("[link](javascript:window.__xss=3)"));
  await page.hover(".msg.assistant >> nth=-1");
  assert.equal(await page.evaluate(() => window.__xss), undefined);

  step("a tool call and its result are shown, collapsed until opened");
  await page.fill("#input", '/tool todo {"todos":[{"id":"1","content":"write the docs","status":"pending"}]}');
  await page.press("#input", "Enter");
  const call = page.locator("details.tool-call", { hasText: "Tool result: todo" });
  await call.waitFor();
  await page.locator(".msg.assistant[data-status='complete']", { hasText: "tool said:" }).waitFor();
  assert.equal(await call.evaluate((node) => node.open), false);
  await call.locator("summary").click();
  assert.match(await call.locator("pre.arguments").textContent(), /"content": "write the docs"/);
  assert.match(await call.locator("pre.result").textContent(), /write the docs/);

  step("the daemon restarts: the page reconnects by itself and keeps streaming");
  const shown = (await transcript(page)).length;
  tolerated = /net::ERR_CONNECTION_REFUSED/;
  await restartDaemon();
  tolerated = null;
  await page.fill("#input", "after the restart");
  await page.press("#input", "Enter");
  await page.locator(".msg.assistant[data-status='complete']", { hasText: "echo: after the restart" }).waitFor();
  assert.equal((await transcript(page)).length, shown + 2, "nothing shown twice, nothing lost");

  step("410 resync_required on resume: the page reloads the history and follows live");
  // Every resume (after_seq) is answered as if its events were no longer retained.
  const followed = [];
  const eventsRoute = /\/v1\/sessions\/[^/]+\/events\?/;
  await page.route(eventsRoute, (route) => {
    const query = new URL(route.request().url()).searchParams;
    followed.push(query.has("after_seq") ? "resume" : "live");
    if (!query.has("after_seq")) return route.continue();
    const body = { error: { message: "gone", type: "invalid_request_error", code: "resync_required", param: "after_seq" } };
    return route.fulfill({ status: 410, contentType: "application/json", body: JSON.stringify(body) });
  });
  const beforeResync = await transcript(page);
  tolerated = /net::ERR_CONNECTION_REFUSED|410/;
  await restartDaemon();
  tolerated = null;
  await page.unroute(eventsRoute);
  assert.ok(followed.includes("resume") && followed.at(-1) === "live", JSON.stringify(followed));
  assert.deepEqual(await transcript(page), beforeResync);
  await page.fill("#input", "after the resync");
  await page.press("#input", "Enter");
  await page.locator(".msg.assistant[data-status='complete']", { hasText: "echo: after the resync" }).waitFor();

  step("delete a session (two clicks)");
  await page.selectOption("#agent", "other");
  await page.click("#new-session");
  await page.locator(".session-item").nth(1).waitFor();
  assert.equal(await page.locator(".session-item").count(), 2);
  const doomed = page.locator(".session-item.active .delete");
  await doomed.click();
  await page.locator(".session-item.active .delete.confirm").click();
  await page.waitForFunction(() => document.querySelectorAll(".session-item").length === 1);
  assert.equal(await page.locator("#chat-title").textContent(), "No session");
  await page.locator(".session-item .open", { hasText: "browser test" }).click();
  await page.locator(".msg.assistant[data-status='interrupted']").waitFor();

  // The layout keeps the composer and the newest message on screen.
  const viewport = page.viewportSize();
  const composer = await page.locator("#composer").boundingBox();
  assert.ok(composer.y + composer.height <= viewport.height + 1, "the composer is on screen");
  await page.waitForFunction(() => {
    const t = document.querySelector("#transcript");
    return t.scrollHeight - t.scrollTop - t.clientHeight < 2;
  });

  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, "chat.png") });
  console.log(`  screenshot: ${join(artifacts, "chat.png")}`);

  assert.deepEqual(errors, []);
}

// Every shown message: role, status and text.
function transcript(page) {
  return page.$$eval("#transcript .msg", (nodes) =>
    nodes.map((node) => `${node.dataset.role}/${node.dataset.status}: ${node.querySelector(".body").textContent}`),
  );
}

const directory = mkdtempSync(join(tmpdir(), "parley-browser-"));
let daemon = startParleyd(directory);
let browser;
let failed = false;
try {
  const { base, listen } = await daemon.listening;
  browser = await chromium.launch({
    executablePath: options.chromium,
    headless: true,
    // Root in a container has no user namespace for Chromium's sandbox.
    args: ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
  });
  const context = await browser.newContext({ viewport: { width: 1100, height: 760 } });
  context.setDefaultTimeout(kStepTimeoutMs);
  const page = await context.newPage();
  try {
    await run(base, listen, page, options.artifacts);
  } catch (error) {
    mkdirSync(options.artifacts, { recursive: true });
    await page.screenshot({ path: join(options.artifacts, "chat-failure.png") }).catch(() => {});
    throw error;
  }
  console.log(`ok: ${steps.length} steps`);
} catch (error) {
  failed = true;
  console.error(`FAIL during "${steps.at(-1) || "start-up"}":`, error);
} finally {
  if (browser) await browser.close();
  const code = await stopParleyd(daemon);
  if (code !== 0) {
    failed = true;
    console.error(`parleyd exited with ${code}:\n${daemon.output()}`);
  }
  rmSync(directory, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
