// The npm installer oracle: extracts each tarball named on stdin (one path a line) with npm's
// own pacote (which runs node-tar with npm's options: strip 1, links dropped, modes forced),
// into a fresh temp dir, and prints one JSON line per tarball: what was written there.
//
//   node tests/oracle/npm_extract.js NPM_ROOT < list
//
// NPM_ROOT is the folder holding npm's node_modules (`$(npm root -g)/npm`). Output lines:
//   {"file": path, "ok": true, "entries": [{"path", "kind", "sha256", "mode"}]}
//   {"file": path, "ok": false, "error": message}   (npm refuses the tarball)
'use strict'
const fs = require('fs')
const os = require('os')
const path = require('path')
const crypto = require('crypto')
const readline = require('readline')

const npmRoot = process.argv[2]
const pacote = require(path.join(npmRoot, 'node_modules', 'pacote'))
const tarVersion = require(path.join(npmRoot, 'node_modules', 'tar', 'package.json')).version
const pacoteVersion = require(path.join(npmRoot, 'node_modules', 'pacote', 'package.json')).version

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-oracle-'))
const cache = path.join(work, 'cache')

function walk (root, rel, out) {
  for (const name of fs.readdirSync(path.join(root, rel)).sort()) {
    const r = rel ? rel + '/' + name : name
    const full = path.join(root, r)
    const st = fs.lstatSync(full)
    if (st.isDirectory()) {
      out.push({ path: r, kind: 'dir', mode: st.mode & 0o7777 })
      walk(root, r, out)
    } else if (st.isFile()) {
      const sha256 = crypto.createHash('sha256').update(fs.readFileSync(full)).digest('hex')
      out.push({ path: r, kind: 'file', sha256, mode: st.mode & 0o7777 })
    } else {
      out.push({ path: r, kind: st.isSymbolicLink() ? 'symlink' : 'other', mode: st.mode & 0o7777 })
    }
  }
  return out
}

let fail = null
process.on('uncaughtException', e => { if (fail) { fail(e) } else { throw e } })

async function main () {
  process.stdout.write(JSON.stringify({ oracle: 'pacote', pacote: pacoteVersion, tar: tarVersion, node: process.version }) + '\n')
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
  let n = 0
  for await (const line of rl) {
    if (!line) continue
    const dest = path.join(work, 'x' + n++)
    let result
    try {
      // node-tar can throw from an fs callback (a name holding NUL): npm then dies with that
      // error, so it counts as npm refusing the tarball.
      const crashed = new Promise((resolve, reject) => { fail = reject })
      // Warnings go to npm's log in a real install; keep them off our stdout.
      await Promise.race([crashed, pacote.extract('file:' + path.resolve(line), dest, { cache, log: { warn () {}, silly () {}, http () {}, verbose () {}, info () {} } })])
      result = { file: line, ok: true, entries: fs.existsSync(dest) ? walk(dest, '', []) : [] }
    } catch (e) {
      result = { file: line, ok: false, error: String(e && e.message || e) }
    }
    // After a crash node-tar may still be writing there; leftovers go with the work dir.
    try { fs.rmSync(dest, { recursive: true, force: true }) } catch (_) {}
    process.stdout.write(JSON.stringify(result) + '\n')
  }
  try { fs.rmSync(work, { recursive: true, force: true }) } catch (_) {}
}
main().catch(e => { console.error(e); process.exit(1) })
