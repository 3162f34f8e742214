/// <reference types="vite/client" />
declare const __TFJS_VERSION__: string;
