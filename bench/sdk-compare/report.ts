/** The comparison table: one row per figure, both plugins, their ratio and the target. */
import { cpus, loadavg, release, totalmem } from "node:os";

export interface Row {
  measure: string;
  python?: number | string;
  ours: number | string;
  /** How many times better ours is (higher is better), or a fraction where the target is one. */
  ratio?: string;
  target?: string;
  met?: boolean;
}

const MIB = 1024 * 1024;
export const mib = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB`;
export const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(0)} ms`;
export const perSecond = (value: number) => `${Math.round(value).toLocaleString("en-US")}/s`;

/** "python ÷ ours" for lower-is-better figures, "ours ÷ python" for higher-is-better ones. */
export function times(better: number, worse: number): string {
  return `${(worse / better).toFixed(1)}×`;
}

export function renderTable(rows: readonly Row[], pythonName: string, oursName: string): string {
  const cell = (value: number | string | undefined) => (value === undefined ? "—" : String(value));
  const lines = [
    `| Measure | ${pythonName} | ${oursName} | Ratio | Target | Met |`,
    "| --- | ---: | ---: | ---: | --- | :---: |",
    ...rows.map(
      (row) =>
        `| ${row.measure} | ${cell(row.python)} | ${cell(row.ours)} | ${cell(row.ratio)} | ${cell(row.target)} | ${row.met === undefined ? "" : row.met ? "yes" : "**no**"} |`,
    ),
  ];
  return lines.join("\n");
}

export function machine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model ?? "unknown CPU"}, ${cpu.length} cores, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB RAM, Linux ${release()}`;
}

/** The 1-minute load average, e.g. "0.42". */
export function loadAverage(): string {
  return loadavg()[0]!.toFixed(2);
}
