// Writes NAME.br and NAME.gz beside every compressible file of the site root, with Node's own
// zlib (brotli at its highest quality: done once per build, served many times). A copy newer
// than its original is kept. The server sends the .br or .gz copy to clients that accept it.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const root = process.argv[2];
const compressible = /\.(wasm|js|css|html|svg|json|txt|map)$/;

function* files(dir) {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (compressible.test(e.name)) yield p;
  }
}

let made = 0;
for (const file of files(root)) {
  const mtime = fs.statSync(file).mtimeMs;
  const fresh = (p) => fs.existsSync(p) && fs.statSync(p).mtimeMs >= mtime;
  if (fresh(`${file}.br`) && fresh(`${file}.gz`)) continue;
  const data = fs.readFileSync(file);
  fs.writeFileSync(`${file}.br`, zlib.brotliCompressSync(data, {
    params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length },
  }));
  fs.writeFileSync(`${file}.gz`, zlib.gzipSync(data, { level: 9 }));
  made += 1;
}
console.error(`precompressed ${made} file(s)`);
