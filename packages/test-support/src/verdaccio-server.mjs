// A verdaccio npm registry on 127.0.0.1 at a port the system picks, for tests:
//   node verdaccio-server.mjs <verdaccio install dir> <storage dir> <local scope>
// Packages of <local scope> are only ever served from <storage dir> (no uplink), so
// installing them can never reach the public registry; every other package is
// fetched through the uplink to registry.npmjs.org. Prints "listening <port>".
import { createRequire } from "node:module";
import { join } from "node:path";

const [installDir, storage, localScope] = process.argv.slice(2);
const { runServer } = createRequire(join(installDir, "package.json"))("verdaccio");
const app = await runServer({
  self_path: storage,
  storage: join(storage, "packages"),
  auth: { htpasswd: { file: join(storage, "htpasswd"), max_users: 10 } },
  // Patient with a slow uplink on a loaded machine: the defaults (30 s, 2 failures, then 5 min marked down) turn one
  // slow tarball into failed installs.
  uplinks: { npmjs: { url: "https://registry.npmjs.org/", timeout: "180s", max_fails: 10, fail_timeout: "10s" } },
  packages: {
    [`${localScope}/*`]: { access: "$all", publish: "$authenticated" },
    "**": { access: "$all", publish: "$authenticated", proxy: "npmjs" },
  },
  log: { type: "stderr", format: "json", level: "warn" },
});
const server = app.listen(0, "127.0.0.1", () => console.log(`listening ${server.address().port}`));
