/**
 * The token budget per conversation, without a tokenizer (the plugin talks to
 * any model): a character of a CJK, kana or Hangul script counts as one
 * token, other text as one per four characters, which is close for GPT-style
 * tokenizers on English and errs high on code.
 */
export interface Turn {
  role: "user" | "assistant";
  content: string;
}

const WIDE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;

export function estimateTokens(text: string): number {
  const wide = text.match(WIDE)?.length ?? 0;
  return wide + Math.ceil((text.length - wide) / 4);
}

/**
 * The newest turns whose tokens fit the budget, oldest first. When even the
 * newest turn is over the budget, its beginning is kept (cut to fit), so a
 * conversation is never dropped for one long message.
 */
export function fitTokenBudget(turns: readonly Turn[], budget: number): Turn[] {
  const kept: Turn[] = [];
  let used = 0;
  for (let index = turns.length - 1; index >= 0; index--) {
    const turn = turns[index]!;
    const tokens = estimateTokens(turn.content);
    if (used + tokens <= budget) {
      kept.unshift(turn);
      used += tokens;
      continue;
    }
    if (kept.length === 0) kept.unshift({ role: turn.role, content: cutToTokens(turn.content, budget) });
    break;
  }
  return kept;
}

function cutToTokens(text: string, budget: number): string {
  let end = Math.min(text.length, budget * 4);
  while (end > 0 && estimateTokens(text.slice(0, end)) > budget) end = Math.floor(end * 0.9);
  return text.slice(0, end);
}
