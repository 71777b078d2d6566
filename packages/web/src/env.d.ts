/// <reference types="next" />

// Side-effect CSS imports (globals.css) are bundled by Next; TypeScript only needs to know they exist.
declare module '*.css';
