// Shader sources under glsl/ are imported as text (Vite's `?raw`).
declare module '*.glsl?raw' {
  const source: string;
  export default source;
}
