// The one koffi instance (FFI for netlink, readlinkat and getsockopt), loaded on first use. Through
// require, not import(): koffi ships a CommonJS and an ES module build, and the netlink collector,
// the fd-link reader and the libc bindings loading different builds paid for koffi twice (require
// alone: about 7 ms; import() alone: about 14 ms).
import { createRequire } from 'node:module';

type KoffiModule = typeof import('koffi');
let koffi: KoffiModule | undefined;

/** koffi's module; throws when it (or its native addon) cannot be loaded. */
export function loadKoffi(): KoffiModule {
  return (koffi ??= createRequire(import.meta.url)('koffi') as KoffiModule);
}
