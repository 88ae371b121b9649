// Compile-time checks that hold a zod schema equal to the TypeScript type it describes (result-schemas.ts,
// socket-schemas.ts): a field, optional or not, on one side only fails `tsc`.
/** Compile-time check: a schema's output type and the type are assignable both ways. */
export type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

// Same alone cannot see an optional field on one side only ({a} and {a; x?} are assignable both ways), and zod
// strips a key its schema lacks: so each pair is also checked key by key, both ways (Covers below), down
// through objects, arrays and unions. Missing<S, T> is the paths ('.located.choice') of T's keys S lacks.
type Prim = string | number | boolean | bigint | symbol | null | undefined | ((...a: never[]) => unknown);
/** Every key of any member of a union (keyof of a union is only the keys all members share). */
type AnyKey<S> = S extends unknown ? keyof S : never;
/** S[K] over the members of S that have K. */
type ValueAt<S, K extends PropertyKey> = S extends unknown ? (K extends keyof S ? S[K] : never) : never;
type Missing<S, T, P extends string = ''> = T extends unknown
  ? [T] extends [Prim]
    ? never
    : unknown extends T
      ? never
      : T extends readonly (infer TE)[]
        ? [S] extends [readonly (infer SE)[]]
          ? Missing<NonNullable<SE>, NonNullable<TE>, `${P}[]`>
          : never
        : [S] extends [object]
          ? { [K in keyof T & string]-?: K extends AnyKey<S> ? Missing<NonNullable<ValueAt<S, K>>, NonNullable<T[K]>, `${P}.${K}`> : `${P}.${K}` }[keyof T & string]
          : never
  : never;
/** true when schema output S and type T have the same keys at every level; otherwise the error names the paths. */
export type Covers<S, T> = [Missing<S, T> | Missing<T, S>] extends [never] ? true : { missingOnOneSide: Missing<S, T> | Missing<T, S> };
