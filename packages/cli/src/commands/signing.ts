/** `keygen`, `sign` and `verify-signature` in the daemon's signature format. */
import { readFile, writeFile } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { writeFileAtomic } from "../files.js";
import { UsageError } from "../project.js";
import {
  CATEGORIES,
  generateSigningKeys,
  signPackage,
  verifyPackageSignature,
  type AuthorizedCategory,
} from "../signature.js";
import { displayPath } from "./build.js";
import { parseCommandArgs, type Command } from "./command.js";

export const keygenCommand: Command = {
  name: "keygen",
  summary: "generate an RSA-4096 signing key pair (<name>.private.pem, <name>.public.pem; PKCS#1)",
  usage: "dify-ts keygen [-n <name>] [--out-dir <dir>]",
  options: [
    "  -n, --name <name>   base name of the two files (default dify_plugin_signing_key); an existing key is never overwritten",
    "  --out-dir <dir>     where to write them (default: the current directory)",
  ],
  examples: ["pnpm dify-ts keygen -n acme --out-dir keys"],
  async run(argv, io) {
    const { values } = parseCommandArgs(
      this,
      argv,
      { name: { type: "string", short: "n" }, "out-dir": { type: "string" } },
      { min: 0, max: 0 },
    );
    const name = values.name ?? "dify_plugin_signing_key";
    const keys = await generateSigningKeys();
    const base = join(values["out-dir"] ?? ".", name);
    await writeFile(`${base}.private.pem`, keys.privateKey, { mode: 0o600, flag: "wx" }).catch(
      (error: NodeJS.ErrnoException) => {
        throw error.code === "EEXIST"
          ? new UsageError(`${base}.private.pem already exists: choose another name with -n`)
          : error;
      },
    );
    await writeFile(`${base}.public.pem`, keys.publicKey);
    io.out(`${base}.private.pem`);
    io.out(`${base}.public.pem`);
    io.err("keep the private key secret; give the public key to Dify (THIRD_PARTY_SIGNATURE_VERIFICATION_PUBLIC_KEYS)");
    return 0;
  },
};

export const signCommand: Command = {
  name: "sign",
  summary: "sign a .difypkg (writes <name>.signed.difypkg; category defaults to community)",
  usage: "dify-ts sign <package.difypkg> --key <private.pem> [--category langgenius|partner|community] [-o <file>]",
  options: [
    "  <package.difypkg>          the package to sign",
    "  -k, --key <private.pem>    required: the private key from keygen",
    "  -c, --category <category>  langgenius, partner or community (default community)",
    "  -o, --out <file>           the signed package (default <name>.signed.difypkg beside the input)",
  ],
  examples: ["pnpm dify-ts sign dist/s3-0.1.0.difypkg --key keys/acme.private.pem"],
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      this,
      argv,
      {
        key: { type: "string", short: "k" },
        category: { type: "string", short: "c" },
        out: { type: "string", short: "o" },
      },
      { min: 1, max: 1 },
    );
    if (!values.key) throw new UsageError(`--key <private.pem> is required\nusage: ${this.usage}`);
    const category = (values.category ?? "community") as AuthorizedCategory;
    if (!CATEGORIES.includes(category))
      throw new UsageError(
        `--category must be one of ${CATEGORIES.join(", ")}; got ${JSON.stringify(values.category)}`,
      );
    const input = positionals[0]!;
    const signed = signPackage(await readFile(input), await readFile(values.key, "utf8"), category);
    const output = resolve(values.out ?? join(dirname(input), `${basename(input, ".difypkg")}.signed.difypkg`));
    await writeFileAtomic(output, signed);
    io.out(displayPath(output));
    return 0;
  },
};

export const verifySignatureCommand: Command = {
  name: "verify-signature",
  summary: "check a signed .difypkg against a public key, as the daemon does",
  usage: "dify-ts verify-signature <package.difypkg> --pubkey <public.pem>",
  options: [
    "  <package.difypkg>          a signed package (exit 1 when the signature is invalid)",
    "  -p, --pubkey <public.pem>  required: the public key to check against (the official Dify key is not bundled)",
  ],
  examples: ["pnpm dify-ts verify-signature dist/s3-0.1.0.signed.difypkg --pubkey keys/acme.public.pem"],
  async run(argv, io) {
    const { values, positionals } = parseCommandArgs(
      this,
      argv,
      { pubkey: { type: "string", short: "p" } },
      { min: 1, max: 1 },
    );
    if (!values.pubkey)
      throw new UsageError(
        `--pubkey <public.pem> is required (the official Dify key is not bundled)\nusage: ${this.usage}`,
      );
    const check = verifyPackageSignature(await readFile(positionals[0]!), await readFile(values.pubkey, "utf8"));
    if (!check.valid) {
      io.err(`error: ${positionals[0]}: signature invalid: ${check.reason}`);
      return 1;
    }
    io.out(
      `valid signature, signed ${new Date(check.time! * 1000).toISOString()}, authorized category ${check.category}`,
    );
    return 0;
  },
};
