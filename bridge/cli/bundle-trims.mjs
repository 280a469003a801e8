// What the bridge's bundle (bundle.mjs) leaves out, and the dependency code it replaces by
// cheaper code that does the same. Node parses the whole bundle before running it, and keeps
// its source in memory; code the bridge never runs, or runs only for some mail, costs
// every start that time and memory.
//
// Plain JavaScript: it runs before anything can compile TypeScript.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';

/**
 * Imported by inlined packages for features the bridge never uses, or uses only for some
 * mail. Each is replaced by a stand-in that loads the real module the first time something
 * reads, calls or constructs it: the one node finds from the importing package, as
 * bundling would have taken (imapflow, for one, has its own pino). The value lists the named exports
 * importers take from the module (`import { Headers } from ...`): esbuild copies those
 * when the bundle loads, so the stand-in has to name them without loading.
 */
export const ON_FIRST_USE = {
  // imapflow: the default logger of a connection given none; mailmover gives every
  // connection `logger: false`. Loading pino took about 20 ms of every start.
  pino: [],
  // imapflow: connections through a SOCKS proxy, which mailmover never configures.
  socks: ['SocksClient'],
  // imapflow's download() of single MIME parts; mailmover copies whole messages. Its own
  // copy of libmime (CommonJS, beside imapflow's ES module one) goes with it.
  '@zone-eu/mailsplit': ['Headers'],
  '@zone-eu/mailsplit/lib/flowed-decoder.js': [],
  // libmime and imapflow: Japanese charsets (ISO-2022-JP), decoded only when a header has one.
  'encoding-japanese': [],
};

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const ON_FIRST_USE_FILTER = new RegExp(`^(${Object.keys(ON_FIRST_USE).map(escape).join('|')})$`);
const STAND_IN = 'mailmover-on-first-use';

/**
 * The stand-in's source. A Proxy over a function, so that a module used as an object
 * (`encodingJapanese.convert`), a function (`pino()`) or a class (`new FlowedDecoder()`,
 * also as a base class) behaves as itself; `__esModule` is answered without loading, as
 * esbuild's interop reads it when the bundle loads. `from` is what the stand-in
 * passes to require(), relative to the bundle.
 */
export function standInSource(from, names) {
  const clash = names.filter((name) => Object.hasOwn(function () {}, name));
  if (clash.length) throw new Error(`a stand-in cannot name ${clash.join(', ')}: a function's own keys`);
  return `
const names = ${JSON.stringify(names)};
let real;
const load = () => (real ??= require(${JSON.stringify(from)}));
const shell = function () {};
const standIn = new Proxy(shell, {
  get: (_, key) => (key === '__esModule' && real === undefined ? undefined : load()[key]),
  has: (_, key) => key in load(),
  apply: (_, self, args) => Reflect.apply(load(), self, args),
  construct: (_, args, newTarget) => Reflect.construct(load(), args, newTarget === standIn ? load() : newTarget),
  ownKeys: () => [...Reflect.ownKeys(shell), ...names],
  getOwnPropertyDescriptor: (_, key) =>
    names.includes(key) ? { configurable: true, enumerable: true, get: () => load()[key] } : Reflect.getOwnPropertyDescriptor(shell, key),
});
module.exports = standIn;
`;
}

/** A path for the bundle's require(): relative to the bundle's directory. */
const fromBundle = (outDir, file) => {
  const path = relative(outDir, file).split(sep).join('/');
  return path.startsWith('.') ? path : `./${path}`;
};

/**
 * libmime builds iconv-lite's whole GBK codec when it loads (tables read, decode trie
 * built: about 20 ms of every start), only to keep the decoder class all of iconv-lite's
 * double-byte codecs share. That class is DBCSCodec's own `decoder`, with no table needed.
 */
const LIBMIME_DBCS_DECODER = "const DBCS_DECODER = iconv.getCodec('gbk').decoder;";
const DBCS_DECODER_UNBUILT = "const DBCS_DECODER = (iconv.getCodec('utf-8'), iconv.encodings._dbcs?.prototype?.decoder) ?? iconv.getCodec('gbk').decoder;";

/**
 * imapflow names each item of a FETCH response (UID, FLAGS, BODY[]) by compiling the item
 * back into command text with its full command compiler: a dozen Buffers per item, for
 * every message; about 4% of a full migration's CPU. Plain atoms, and atoms with an empty
 * section (BODY[]), are named directly, as the compiler would write them; anything else
 * (a section with fields, a partial range, a quoted name) still goes through it.
 */
const IMAPFLOW_FETCH_KEY = `            key = compiler({
                attributes: [attribute]
            })
                .toString()`;
const FETCH_KEY_DIRECT = `            key = (mailmoverFetchKey(attribute) ?? compiler({
                attributes: [attribute]
            })
                .toString())`;
const FETCH_KEY_FUNCTION = `
function mailmoverFetchKey(item) {
    if (!item || typeof item.value !== 'string' || String(item.type).toUpperCase() !== 'ATOM' || item.partial || !/^[A-Za-z0-9.-]+$/.test(item.value)) {
        return undefined;
    }
    if (!item.section) {
        return item.value;
    }
    return Array.isArray(item.section) && item.section.length === 0 ? item.value + '[]' : undefined;
}
`;

/** Dependency code replaced by cheaper code that does the same; a file without the code is bundled as it is. */
const SOURCE_PATCHES = [
  { file: /[\\/]libmime[\\/]dist[\\/]esm[\\/]charset\.js$/, from: LIBMIME_DBCS_DECODER, to: DBCS_DECODER_UNBUILT },
  { file: /[\\/]imapflow[\\/]dist[\\/]esm[\\/]tools\.js$/, from: IMAPFLOW_FETCH_KEY, to: FETCH_KEY_DIRECT, append: FETCH_KEY_FUNCTION },
];

const inPackage = (importer) => /[\\/]node_modules[\\/]/.test(importer);

/**
 * The esbuild plugin. Besides the stand-ins:
 * - iconv-lite's code tables (GBK, Big5, Shift_JIS, EUC-KR: about 450 KB of JSON) stay in
 *   node_modules, read when a codec is first asked for (a file read and a JSON.parse)
 *   instead of parsed with the bundle at every start;
 * - libmime finds the DBCS decoder class without building the GBK codec (LIBMIME_DBCS_DECODER);
 *   where its source no longer has that line, it is bundled as it is;
 * - imapflow names FETCH items without its command compiler where it can (IMAPFLOW_FETCH_KEY),
 *   and is bundled as it is where its source no longer has that code;
 * - of zod's error-message locales, only English (zod's default, the one its messages use
 *   here) is kept: zod imports all of them, about 360 KB, for `z.locales`, which nothing
 *   here reads.
 */
export const trims = {
  name: 'mailmover-trims',
  setup(build) {
    const { outdir, absWorkingDir } = build.initialOptions;
    const outDir = outdir && resolve(absWorkingDir ?? process.cwd(), outdir);
    if (!outDir) throw new Error('mailmover-trims needs esbuild\'s outdir: the code tables are found relative to the bundle');
    build.onResolve({ filter: ON_FIRST_USE_FILTER }, (args) => {
      if (!inPackage(args.importer)) return undefined;
      const real = createRequire(args.importer).resolve(args.path);
      // One module per file found: two packages with their own copies get a stand-in each.
      return { path: fromBundle(outDir, real), namespace: STAND_IN, pluginData: { spec: args.path } };
    });
    build.onLoad({ filter: /.*/, namespace: STAND_IN }, (args) => ({ contents: standInSource(args.path, ON_FIRST_USE[args.pluginData.spec]), loader: 'js' }));
    // The stand-in's own require() of the real module is left to node, at run time.
    build.onResolve({ filter: /.*/, namespace: STAND_IN }, (args) => ({ path: args.path, external: true }));
    build.onResolve({ filter: /^\.\/tables\/[^/]+\.json$/ }, (args) => {
      if (!/[\\/]iconv-lite[\\/]encodings$/.test(args.resolveDir)) return undefined;
      // Relative to the bundle, whose require() resolves from its own directory.
      return { path: fromBundle(outDir, join(args.resolveDir, args.path)), external: true };
    });
    for (const patch of SOURCE_PATCHES) {
      build.onLoad({ filter: patch.file }, async (args) => {
        const source = await readFile(args.path, 'utf8');
        return source.includes(patch.from) ? { contents: source.replace(patch.from, patch.to) + (patch.append ?? ''), loader: 'js' } : undefined;
      });
    }
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
      contents: 'export { default as en } from "./en.js";',
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
};
