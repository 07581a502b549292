// comlink ships its Node adapter as an .mjs file whose typings are a plain .d.ts beside it, which
// TypeScript does not pair with an .mjs import; this points the import at them.
declare module 'comlink/dist/esm/node-adapter.mjs' {
  export { default } from 'comlink/dist/esm/node-adapter';
}
