// Firefox and WebKitGTK need an X server even when headless: start Xvfb when there is no display.
import { spawn, type ChildProcess } from 'node:child_process';

let xvfb: ChildProcess | null = null;

export default async function globalSetup(): Promise<() => Promise<void>> {
  if (!process.env.DISPLAY) {
    const display = await new Promise<string>((resolve, reject) => {
      xvfb = spawn(process.env.XVFB_PATH ?? 'Xvfb', ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten',
        'tcp'], { stdio: ['ignore', 'ignore', 'pipe', 'pipe'] });
      let out = '';
      xvfb.stdio[3]!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('\n')) resolve(`:${out.trim()}`);
      });
      xvfb.on('error', (e) => reject(new Error(`cannot start Xvfb (apt-get install xvfb): ${e.message}`)));
      xvfb.on('exit', (code) => reject(new Error(`Xvfb exited with code ${code}`)));
    });
    process.env.DISPLAY = display;
  }
  return async () => {
    xvfb?.kill();
  };
}
