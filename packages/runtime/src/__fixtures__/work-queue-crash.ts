/** Accepts jobs into a journaled queue whose jobs never finish, printing each accepted id; the test SIGKILLs it. */
import { WorkQueue } from "../work-queue.js";

const journalPath = process.argv[2]!;
const queue = await WorkQueue.open<{ n: number }>({
  concurrency: 2,
  maxPending: 10_000,
  journalPath,
  run: () => new Promise<void>(() => {}),
});
for (let n = 0; ; n++) {
  const result = await queue.submit({ n });
  if (result.status === "accepted") process.stdout.write(`${result.id}:${n}\n`);
}
