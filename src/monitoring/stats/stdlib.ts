/**
 * The @stdlib special functions the tests use, loaded on first call: each package is hundreds of
 * small CommonJS modules (about 50 ms to load at start-up), and a report of distances only (the
 * default for large samples) never needs them.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

type GammaInc = (x: number, a: number, regularized?: boolean, upper?: boolean) => number;
type GammaLn = (x: number) => number;
type NormalCdf = (x: number, mu: number, sigma: number) => number;
type TCdf = (x: number, v: number) => number;

let gammaincFn: GammaInc | undefined;
let gammalnFn: GammaLn | undefined;
let normalCdfFn: NormalCdf | undefined;
let tCdfFn: TCdf | undefined;

export const gammainc: GammaInc = (x, a, regularized, upper) =>
  (gammaincFn ??= require('@stdlib/math-base-special-gammainc') as GammaInc)(x, a, regularized, upper);
export const gammaln: GammaLn = (x) => (gammalnFn ??= require('@stdlib/math-base-special-gammaln') as GammaLn)(x);
export const normalCdf: NormalCdf = (x, mu, sigma) =>
  (normalCdfFn ??= require('@stdlib/stats-base-dists-normal-cdf') as NormalCdf)(x, mu, sigma);
export const tCdf: TCdf = (x, v) => (tCdfFn ??= require('@stdlib/stats-base-dists-t-cdf') as TCdf)(x, v);
