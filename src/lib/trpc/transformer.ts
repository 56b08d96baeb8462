// What crosses the wire between the browser and /api/trpc, both ways, for the client and the
// server alike.
// - Requests (inputs): superjson, as before: the server's input parsing, its limits and the tests
//   written as attacks on it (fuzzed superjson meta) stay as they are.
// - Answers (outputs and errors): devalue, Svelte's own serializer (SvelteKit sends load data
//   with it). It carries what superjson did for our answers (bigint, Date, undefined, Map, Set)
//   and writes a list page in ~0.14 ms against ~0.35. superjson's walk, which builds a path for
//   every value, was 40 % of the memory a list request allocated (a sampling heap profile: 630 KB
//   a request, 387 KB with devalue), and each young-generation collection that garbage set off
//   paused the web 3–8 ms on the bench machine: the lists' slowest requests (bench/lists.ts).
// devalue.parse builds plain values only (no code runs), and an answer that holds a value it
// cannot carry (a class instance, a function) fails loudly on the server instead of arriving
// as something else.
import type { CombinedDataTransformer } from '@trpc/server';
import * as devalue from 'devalue';
import superjson from 'superjson';

export const transformer = {
	input: superjson,
	output: {
		serialize: (value: unknown) => devalue.stringify(value),
		deserialize: (text: unknown) => devalue.parse(text as string)
	}
} satisfies CombinedDataTransformer;

/**
 * An answer's `result.data` or `error` read as the browser's client reads it (tests and the
 * bench call /api/trpc by hand).
 */
export function readAnswer<T = unknown>(serialized: unknown): T {
	return transformer.output.deserialize(serialized) as T;
}

/**
 * A whole /api/trpc answer body (parsed JSON) with its `result.data` or `error` read back as the
 * browser's client reads them; a body of any other shape (a proxy's page, an outage) as it came.
 */
export function readEnvelope<T = unknown, E = unknown>(body: unknown): { result?: { data: T }; error?: E } {
	const env = body as { result?: { data: unknown }; error?: unknown } | null;
	if (env?.result) return { result: { data: readAnswer<T>(env.result.data) } };
	if (env?.error) return { error: readAnswer<E>(env.error) };
	return body as { result?: { data: T }; error?: E };
}
