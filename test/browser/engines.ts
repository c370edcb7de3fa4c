// The three browser engines under test, each driven the way that works here (see README, "Browsers"):
// Chromium and Firefox ESR through Playwright, WebKitGTK's MiniBrowser through WebDriver classic (selenium).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { chromium, firefox, type Browser, type Page } from '@playwright/test';
import { Builder, By, type WebDriver } from 'selenium-webdriver';

export type EngineName = 'chromium' | 'firefox' | 'webkit';

export const BROWSER_PATHS = {
  chromium: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  firefox: process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr',
  webkit: process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser',
  webkitDriver: process.env.WEBKIT_WEBDRIVER_PATH ?? '/usr/bin/WebKitWebDriver',
};

/** A page with the harness loaded, whatever drives it. */
export interface Engine {
  name: EngineName;
  /** Calls `window[api][method](...args)` in the page (`api` is 'harness' unless launched otherwise) and returns
   * its (JSON) result. */
  call<T>(method: string, ...args: unknown[]): Promise<T>;
  /** Console errors and page errors seen so far. */
  errors: string[];
  /** What a person does, through the engine's own input events. Selectors are CSS. */
  ui: {
    /** Opens `url` and waits for the page's API object. */
    goto(url: string): Promise<void>;
    /** Replaces an input's text, as if typed. */
    fill(selector: string, value: string): Promise<void>;
    /** Picks the option with `value` in a select. */
    select(selector: string, value: string): Promise<void>;
    click(selector: string): Promise<void>;
    text(selector: string): Promise<string>;
    /** An input's current value (checkboxes: 'true' or 'false'). */
    value(selector: string): Promise<string>;
    /** Chooses a file in an `<input type=file>`. */
    setFile(selector: string, path: string): Promise<void>;
    /** Saves a PNG of the page: the whole page, or the viewport with `viewportOnly` (or where the driver cannot). */
    screenshot(path: string, viewportOnly?: boolean): Promise<void>;
    /** Sizes the viewport (the page's layout area, scrollbars included) to `width` × `height` CSS pixels. */
    viewport(width: number, height: number): Promise<void>;
    /**
     * Runs `fn` in the page with `args` (JSON) and returns its JSON result. `fn` is sent as source: it may use only
     * its arguments and the page's globals.
     */
    evaluate<T, A extends unknown[]>(fn: (...args: A) => T, ...args: A): Promise<T>;
  };
  close(): Promise<void>;
}

const CALL_TIMEOUT_MS = 20 * 60 * 1000;

async function playwrightEngine(name: 'chromium' | 'firefox', url: string, api: string): Promise<Engine> {
  const browser: Browser = name === 'chromium'
    ? await chromium.launch({ executablePath: BROWSER_PATHS.chromium, args: ['--enable-unsafe-swiftshader',
      '--disable-background-networking', '--disable-component-update', '--no-first-run'] })
    : await firefox.launch({ executablePath: BROWSER_PATHS.firefox, channel: 'moz-firefox',
      // Timers to the microsecond, as Chromium's, rather than rounded to the millisecond (the benchmark's small cases).
      firefoxUserPrefs: { 'privacy.reduceTimerPrecision': false } });
  const page: Page = await browser.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    // A failed load's text does not say which resource: its location does.
    if (m.type() === 'error') errors.push(m.location().url ? `${m.text()} (${m.location().url})` : m.text());
    else if (process.env.ECHO) console.log(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  const goto = async (to: string) => {
    await page.goto(to);
    await page.waitForFunction((g) => g in window, api);
  };
  await goto(url);
  return {
    name, errors,
    ui: {
      goto,
      // Clear first: Playwright's fill on a Firefox (BiDi) number input appends to the old value.
      fill: async (sel, value) => {
        await page.locator(sel).clear();
        await page.locator(sel).fill(value);
      },
      select: async (sel, value) => { await page.selectOption(sel, value); },
      click: (sel) => page.click(sel),
      text: async (sel) => (await page.textContent(sel)) ?? '',
      value: (sel) => page.$eval(sel, (el) => {
        const input = el as HTMLInputElement;
        return input.type === 'checkbox' ? String(input.checked) : input.value;
      }),
      setFile: (sel, path) => page.setInputFiles(sel, path),
      screenshot: async (path, viewportOnly = false) => { await page.screenshot({ path, fullPage: !viewportOnly }); },
      viewport: (width, height) => page.setViewportSize({ width, height }),
      evaluate: <T, A extends unknown[]>(fn: (...args: A) => T, ...args: A) =>
        page.evaluate(`(${fn.toString()})(...${JSON.stringify(args)})`) as Promise<T>,
    },
    call: <T>(method: string, ...args: unknown[]) => page.evaluate(
      ([g, m, a]) => (window as unknown as Record<string, Record<string, (...x: unknown[]) => unknown>>)
        [g as string][m as string](...(a as unknown[])), [api, method, args] as const) as Promise<T>,
    close: () => browser.close(),
  };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}

/**
 * WebKitGTK through its WebDriver. A MiniBrowser that dies just after its session starts (it happens: the first
 * command then finds no session) is started again, with a driver of its own, up to three times.
 */
async function webkitEngine(url: string, api: string): Promise<Engine> {
  let lastError: unknown = null;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startWebkit(url, api);
    } catch (e) {
      lastError = e;
    }
  }
  throw new Error(`could not start WebKitGTK in three attempts: ${String(lastError)}`);
}

async function startWebkit(url: string, api: string): Promise<Engine> {
  const port = await freePort();
  const driverProcess: ChildProcess = spawn(BROWSER_PATHS.webkitDriver, [`--port=${port}`], { stdio: 'ignore' });
  const server = `http://127.0.0.1:${port}`;
  // WebKitWebDriver needs a moment to listen; retry the session until it does.
  let driver: WebDriver | null = null;
  let lastError: unknown = null;
  for (let attempt = 0; attempt < 20 && !driver; attempt++) {
    try {
      driver = await withTimeout(new Builder().usingServer(server).withCapabilities({
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': { binary: BROWSER_PATHS.webkit, args: ['--automation'] },
      }).build(), 30_000, 'WebKit session (is an X server running?)');
    } catch (e) {
      lastError = e;
      await new Promise((r) => setTimeout(r, 250));
    }
  }
  if (!driver) {
    driverProcess.kill();
    throw new Error(`could not start WebKitGTK: ${String(lastError)}`);
  }
  const d = driver;
  const goto = async (to: string) => {
    await d.get(to);
    await d.wait(async () => d.executeScript('return arguments[0] in window', api), 30_000);
  };
  try {
    await d.manage().setTimeouts({ script: CALL_TIMEOUT_MS, pageLoad: 60_000 });
    await goto(url);
  } catch (e) {
    await d.quit().catch(() => undefined);
    driverProcess.kill();
    throw e;
  }
  const errors: string[] = [];
  const find = (sel: string) => d.findElement(By.css(sel));
  return {
    name: 'webkit', errors,
    ui: {
      goto,
      fill: async (sel, value) => {
        const el = await find(sel);
        await el.clear();
        await el.sendKeys(value);
      },
      select: async (sel, value) => (await find(`${sel} option[value="${value}"]`)).click(),
      click: async (sel) => (await find(sel)).click(),
      text: async (sel) => d.executeScript('return document.querySelector(arguments[0]).textContent', sel),
      value: async (sel) => d.executeScript(`const el = document.querySelector(arguments[0]);
        return el.type === 'checkbox' ? String(el.checked) : el.value;`, sel),
      setFile: async (sel, path) => (await find(sel)).sendKeys(path),
      screenshot: async (path) => writeFileSync(path, Buffer.from(await d.takeScreenshot(), 'base64')),
      // WebDriver sizes the window, whose frame takes some room: size it, see what the page got, and size it again.
      viewport: async (width, height) => {
        for (let attempt = 0; attempt < 3; attempt++) {
          const [w, h] = await d.executeScript('return [innerWidth, innerHeight]') as [number, number];
          if (w === width && h === height) return;
          const outer = await d.manage().window().getRect();
          await d.manage().window().setRect({ width: outer.width + width - w, height: outer.height + height - h });
        }
        const got = await d.executeScript('return [innerWidth, innerHeight]') as [number, number];
        if (got[0] !== width || got[1] !== height) {
          throw new Error(`WebKitGTK's viewport is ${got.join('×')}, not the ${width}×${height} asked for`);
        }
      },
      evaluate: async <T, A extends unknown[]>(fn: (...args: A) => T, ...args: A) =>
        d.executeScript(`return (${fn.toString()})(...arguments)`, ...args) as Promise<T>,
    },
    call: async <T>(method: string, ...args: unknown[]) => {
      const r = await d.executeAsyncScript(`
        const done = arguments[arguments.length - 1];
        const [api, method, args] = arguments;
        Promise.resolve().then(() => window[api][method](...args))
          .then((value) => done({ value }), (e) => done({ error: String(e && e.message || e) }));`,
      api, method, args) as { value?: T; error?: string };
      if (r.error !== undefined) throw new Error(r.error);
      return r.value as T;
    },
    close: async () => {
      try {
        await d.quit();
      } finally {
        driverProcess.kill();
      }
    },
  };
}

/** Opens `url` in engine `name`; `api` is the page's global object that {@link Engine.call} calls into. */
export function launchEngine(name: EngineName, url: string, api = 'harness'): Promise<Engine> {
  return name === 'webkit' ? webkitEngine(url, api) : playwrightEngine(name, url, api);
}
